"""python -m bench.paint [--repeats N]: how long Chromium takes to paint each catalogue picture.

Each picture (the seed's sizes, the Shapes page's look) is painted on a static page by the
plotly.js that the Plotly package ships, with nothing else on the page: `Plotly.newPlot`, then
until the next animation frame has run, the median over the repeats. Its baseline, painted the
same way in the same run, is a chart of one point: what any Plotly chart costs, so the ratio is
what this picture's own boxes, words and arrows add. This is the browser's share of a repaint
that `python -m bench` cannot see; `python -m bench.browser` measures the whole of it.
Needs Debian's chromium (/usr/bin/chromium) and Playwright (requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_ARGS

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ONE_POINT = {"data": [{"type": "scatter", "x": [0], "y": [0]}], "layout": {"width": 400, "height": 300}}
PAINT = """async (spec) => {
    const figure = JSON.parse(spec), chart = document.getElementById('chart');
    const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    Plotly.purge(chart);
    await frame();
    const start = performance.now();
    await Plotly.newPlot(chart, figure.data, figure.layout, {displaylogo: false});
    await frame();
    return performance.now() - start;
}"""


def figures() -> dict[str, dict]:
    """Each catalogue topology's picture at the seed's sizes, as the JSON a page sends."""
    from app.diagram import draw  # after the argument parsing: TensorFlow takes seconds to load
    from tests.helpers import seed_config
    from topologies import CATALOGUE, trace

    return {name: json.loads(draw(trace(name, seed_config(name))).to_json()) for name in CATALOGUE}


def paint_times(specs: dict[str, dict], repeats: int) -> dict[str, float]:
    """The median milliseconds each figure takes to paint, the figures taking turns each repeat."""
    times: dict[str, list[float]] = {name: [] for name in specs}
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "paint.html"
        script = f"<script src='{PLOTLY_JS.as_uri()}'></script>"
        page_file.write_text(f"<html><body><div id='chart'></div>{script}</body></html>")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(page_file.as_uri())
            page.wait_for_function("window.Plotly !== undefined")
            for _ in range(repeats):
                for name, spec in specs.items():
                    times[name].append(page.evaluate(PAINT, json.dumps(spec)))
            browser.close()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    specs = {"(one point)": ONE_POINT, **figures()}
    medians = paint_times(specs, repeats)
    floor = medians.pop("(one point)")
    print(f"paint in Chromium, median of {repeats}; a one-point chart: {floor:.1f} ms")
    print(f"{'topology':22} {'paint':>9} {'/ one point':>11} {'JSON':>8}  shapes annotations")
    for name, paint in medians.items():
        layout = specs[name]["layout"]
        size = len(json.dumps(specs[name])) / 1000
        counts = f"{len(layout.get('shapes', [])):6} {len(layout.get('annotations', [])):11}"
        print(f"{name:22} {paint:6.1f} ms {paint / floor:10.1f}x {size:5.1f} KB  {counts}")


if __name__ == "__main__":
    main()
