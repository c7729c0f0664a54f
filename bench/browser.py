"""python -m bench.browser [--quick]: what a user feels in Chromium, against Streamlit's own floor.

Each figure is a ratio to a minimal Streamlit page (bench/pages/minimal.py: one number input,
one Plotly chart) measured the same way in the same run, so the machine's speed and load cancel
out. Times are taken in the page itself, with `performance.now()`, from just before the change
to the first animation frame in which the new picture's text is on screen and the old one gone.

1. Repaint: median over the changes of a number input (units on the Shapes page, many_to_one at
   the seed's sizes), first to sizes never seen (a fresh trace), then back to each (cached).
   The same changes on the app's frame (bench/pages/frame.py: its navigation, its sidebar, its
   history keeper, and one bar chart for content) split the ratio in two: what the frame
   costs over the minimal page, and what the page's content costs over its frame.
2. First picture: a new tab opening a link to a painted picture, the server already running.
   The cold start (server launch to first picture) is reported beside it.
3. A class at once: 20 browser sessions, each changing units 10 times with its own batch:
   errors, the p95 repaint, and whether every session's picture showed its own sizes; then the
   same class on the minimal page. The 20 browsers share the server's 2 cores: each class's
   CPU split (bench/cpu_split.py) says how much of the machine the browsers took.

Needs Debian's chromium (/usr/bin/chromium) and the app's requirements; starts its servers on
127.0.0.1 and stops them by their process ids.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.cpu_split import CpuSplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP = "app/main.py"
MINIMAL = "bench/pages/minimal.py"
FRAME = "bench/pages/frame.py"  # the app's navigation, sidebar and history keeper, one bar for content
LINK = "?topology=many_to_one&batch=10&steps=5&features=2&units=4"  # the seed's sizes
WAIT_MS = 180_000  # a class of 20 opening at once on 2 cores (their browsers too) waits its turn
ARRIVAL_SECONDS = 0.5  # between two students of a class opening the link

# The text of the plot's SVG; true once `wanted` is written and `gone` is not.
SHOWS = """([wanted, gone]) => {
    const texts = Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent);
    return texts.some(t => t.includes(wanted)) && !texts.some(t => t.includes(gone));
}"""
# The same test, answering the milliseconds since window.benchStart once it holds.
PAINTED = """([wanted, gone]) => {
    const texts = Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent);
    const shown = texts.some(t => t.includes(wanted)) && !texts.some(t => t.includes(gone));
    return shown ? performance.now() - window.benchStart : false;
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` on a free local port, until stopped by its process id."""

    def __init__(self, script: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true"]
        command += ["--server.address", "127.0.0.1", "--server.port", str(self.port)]
        command += ["--browser.gatherUsageStats", "false"]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit run exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("streamlit did not answer within 120 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def units_input(page, in_sidebar: bool):
    where = '[data-testid="stSidebar"] ' if in_sidebar else ""
    return page.locator(f'{where}input[type="number"][aria-label="units"]')


async def change_units(page, in_sidebar: bool, old: int, new: int, batch: int = 10) -> float:
    """Milliseconds from pressing Enter on units=new to the frame showing (batch, new), not (batch, old)."""
    field = units_input(page, in_sidebar)
    await field.fill(str(new))
    await page.evaluate("() => { window.benchStart = performance.now(); }")
    await field.press("Enter")
    handle = await page.wait_for_function(
        PAINTED, arg=[f"({batch}, {new})", f"({batch}, {old})"], polling="raf", timeout=WAIT_MS
    )
    return float(await handle.json_value())


async def open_page(context, url: str, wanted: str) -> tuple[object, float]:
    """A new tab on `url`; milliseconds from navigation start to the frame showing `wanted`."""
    page = await context.new_page()
    await page.goto(url, timeout=WAIT_MS, wait_until="commit")  # the picture, not the load event, is what counts
    handle = await page.wait_for_function(
        "(wanted) => Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".some(t => t.textContent.includes(wanted)) ? performance.now() : false",
        arg=wanted,
        polling="raf",
        timeout=WAIT_MS,
    )
    return page, float(await handle.json_value())  # performance.now() counts from the navigation


async def repaints(browser, server: Server, in_sidebar: bool, link: str, changes: int) -> dict[str, list[float]]:
    """The repaint times over `changes` fresh sizes, then back over the same sizes (cached)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page, _ = await open_page(context, f"{server.base}/{link}", "(10, 4)")
    sizes = list(range(6, 6 + changes))  # never 5 or 2, the steps and features of the picture
    fresh, cached, old = [], [], 4
    for new in sizes:
        fresh.append(await change_units(page, in_sidebar, old, new))
        old = new
    for new in sizes[-2::-1] + [sizes[-1]]:  # each size seen before, every step a change
        cached.append(await change_units(page, in_sidebar, old, new))
        old = new
    await context.close()
    return {"fresh": fresh, "cached": cached}


async def first_pictures(browser, server: Server, link: str, wanted: str, visits: int) -> list[float]:
    """Milliseconds from opening `link` in a new browser session to its painted picture."""
    times = []
    for _ in range(visits):
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        _, milliseconds = await open_page(context, f"{server.base}/{link}", wanted)
        times.append(milliseconds)
        await context.close()
    return times


async def one_student(browser, server: Server, app: bool, student: int, changes: int) -> tuple[list[float], list[str]]:
    """One session with its own batch, changing units `changes` times: its repaints and its errors.

    Students arrive ARRIVAL_SECONDS apart, as a class opening a shared link does, not in the
    same millisecond. On the minimal page (app False) the batch is only in the chart's title."""
    await asyncio.sleep(ARRIVAL_SECONDS * student)
    batch = 11 + student if app else 10
    link = f"?topology=many_to_one&batch={batch}&units=4" if app else ""
    errors: list[str] = []
    times: list[float] = []
    context = await browser.new_context(viewport={"width": 1024, "height": 768})
    doing = "opening the link"
    try:
        page, _ = await open_page(context, f"{server.base}/{link}", f"({batch}, 4)")
        page.on("pageerror", lambda error: errors.append(f"student {student}: {error}"))
        old = 4
        for new in range(6, 6 + changes):
            doing = f"changing units from {old} to {new}"
            times.append(await change_units(page, app, old, new, batch=batch))
            old = new
    except Exception as error:  # a timeout, a crash: counted, and the class goes on
        shown = await what_the_page_says(context, student)
        errors.append(f"student {student}, {doing}: {type(error).__name__}: {str(error).splitlines()[0]}; {shown}")
    finally:
        await context.close()
    return times, errors


async def what_the_page_says(context, student: int) -> str:
    """For an error: the page's alerts and whether a chart is there, and a screenshot in artifacts/."""
    if not context.pages:
        return "no page open"
    page = context.pages[-1]
    try:
        (ROOT / "artifacts").mkdir(exist_ok=True)
        await page.screenshot(path=str(ROOT / "artifacts" / f"class_error_student_{student}.png"))
        alerts = await page.locator('[data-testid="stAlert"]').all_inner_texts()
        charts = await page.locator(".js-plotly-plot").count()
        running = await page.locator('[data-testid="stStatusWidget"]').count()
        return f"alerts {alerts or 'none'}, {charts} charts, status widget shown: {bool(running)}"
    except Exception as error:
        return f"the page could not be read ({type(error).__name__})"


async def a_class(browser, server: Server, app: bool, students: int, changes: int) -> list[str]:
    """A class of `students` sessions at once: errors, p95 and median repaint, own sizes shown."""
    with CpuSplit(server.process.pid) as split:
        results = await asyncio.gather(
            *(one_student(browser, server, app, number, changes) for number in range(students))
        )
    times = [value for student_times, _ in results for value in student_times]
    errors = [error for _, student_errors in results for error in student_errors]
    median = statistics.median(times) if times else float("nan")
    lines = [
        f"{'app' if app else 'floor'}: {len(errors)} errors, p95 repaint {p95(times):.0f} ms, median {median:.0f} ms, "
        f"each picture its own sizes: {'yes' if len(times) == students * changes else 'NO'}"
    ]
    return lines + [f"  {split.line()}"] + [f"  error: {error}" for error in errors[:5]]


def p95(values: list[float]) -> float:
    """The 95th percentile; nan for no values (every session failed: its errors say why)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f}, n={len(values)})"


async def warm(browser, server: Server) -> None:
    """The server's first picture, in a session of its own: TensorFlow and the workers loaded."""
    context = await browser.new_context()
    await open_page(context, f"{server.base}/{LINK}", "(10, 4)")
    await context.close()


async def measure(quick: bool) -> list[str]:
    from playwright.async_api import async_playwright

    changes, visits, students = (4, 2, 5) if quick else (10, 5, 20)
    lines = []
    cold = Server(APP)
    cold.wait_until_healthy()
    minimal = Server(MINIMAL)
    minimal.wait_until_healthy()
    frame = Server(FRAME)
    frame.wait_until_healthy()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await warm(browser, cold)
            lines.append(f"cold start: server launch to first picture {time.perf_counter() - cold.started:.1f} s")
            await first_pictures(browser, minimal, "", "(10, 4)", 1)  # TensorFlow imported once
            await first_pictures(browser, frame, LINK, "(10, 4)", 1)

            app_paint = await repaints(browser, cold, True, LINK, changes)
            floor_paint = await repaints(browser, minimal, False, "", changes)
            frame_paint = await repaints(browser, frame, True, LINK, changes)
            floor = statistics.median(floor_paint["fresh"] + floor_paint["cached"])
            bare_frame = statistics.median(frame_paint["fresh"] + frame_paint["cached"])
            for kind in ("fresh", "cached"):
                app_median = statistics.median(app_paint[kind])
                lines.append(
                    f"1 repaint ({kind:6}) app {ms(app_paint[kind])}: {app_median / floor:.2f}x the floor (goal 1.5x), "
                    f"{app_median / bare_frame:.2f}x its frame"
                )
            lines.append(f"  floor (minimal page): {ms(floor_paint['fresh'] + floor_paint['cached'])}")
            lines.append(
                f"  the app's frame, one bar for content: {ms(frame_paint['fresh'] + frame_paint['cached'])}: "
                f"{bare_frame / floor:.2f}x the floor"
            )

            fresh_links = [LINK.replace("units=4", f"units={20 + visit}") for visit in range(visits)]
            app_first = []
            for link in fresh_links:
                app_first += await first_pictures(browser, cold, link, f"(10, {link.split('units=')[1]})", 1)
            cached_first = await first_pictures(browser, cold, LINK, "(10, 4)", visits)
            floor_first = await first_pictures(browser, minimal, "", "(10, 4)", visits)
            floor = statistics.median(floor_first)
            lines.append(
                f"2 first picture (fresh) app {ms(app_first)}: {statistics.median(app_first) / floor:.2f}x (goal 1.3x)"
            )
            lines.append(
                f"  first picture (cached) app {ms(cached_first)}: {statistics.median(cached_first) / floor:.2f}x"
            )
            lines.append(f"  floor (minimal page with TensorFlow): {ms(floor_first)}")

            lines.append(
                f"7 a class at once: {students} sessions x {changes} changes, arriving {ARRIVAL_SECONDS} s apart"
            )
            lines.extend("  " + line for line in await a_class(browser, cold, True, students, changes))
            lines.extend("  " + line for line in await a_class(browser, minimal, False, students, changes))
        finally:
            await browser.close()
            cold.stop()
            minimal.stop()
            frame.stop()
    return lines


async def only_a_class(students: int = 20, changes: int = 10) -> list[str]:
    """Figure 7 alone, on the app: for looking into a class's errors without the other figures."""
    from playwright.async_api import async_playwright

    server = Server(APP)
    server.wait_until_healthy()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await warm(browser, server)  # as in measure(): the class meets a server that has drawn once
            return await a_class(browser, server, True, students, changes)
        finally:
            await browser.close()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer changes, visits and sessions")
    parser.add_argument("--class-only", action="store_true", help="only figure 7, a class at once, on the app")
    arguments = parser.parse_args()
    load = os.getloadavg()[0]
    measuring = only_a_class() if arguments.class_only else measure(arguments.quick)
    for line in asyncio.run(measuring):
        print(line, flush=True)
    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
