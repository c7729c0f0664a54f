"""Every click counts, in a real browser: quick clicks on the Stateful page's "Next step" each
make one call (app/ui/counted_button.py), and the button is disabled exactly after the last one.

The server and the browser are the session's (tests/conftest.py), each test in a browser
context of its own.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.in_browser import ROOT, WAIT_MS

FEEDBACK_CALLS = 12  # the page's feedback loop: 12 steps, one call each
CLICKS = 6
SCREENSHOT = ROOT / "artifacts" / "browser_stateful_steps.png"


def _calls_made(page, made: int) -> None:
    page.get_by_text(f"calls made: {made} of {FEEDBACK_CALLS}").wait_for(timeout=WAIT_MS)


def test_quick_clicks_each_make_one_call(new_context, server):
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/stateful", timeout=WAIT_MS)
    page.get_by_text("Press Next step").wait_for(timeout=WAIT_MS)
    next_step = page.locator("button", has_text="Next step").first
    for _ in range(CLICKS):  # as fast as Playwright clicks: each lands while the page still runs
        next_step.click()
    _calls_made(page, CLICKS)
    page.wait_for_timeout(1500)  # no late call arrives after the count is shown
    assert page.get_by_text(f"calls made: {CLICKS} of {FEEDBACK_CALLS}").count() == 1
    # To the end, with clicks to spare: the button greys out at the last call and takes no more.
    # Each click is made whatever the button shows (force: no wait for it to be enabled), as a
    # quick user's are. Asking is_enabled() first and then clicking raced the page: the last
    # call's rerun could grey the button out in between, and the click then waited for a button
    # that stays disabled. A click on a disabled button fires nothing in the browser.
    for _ in range(FEEDBACK_CALLS - CLICKS + 3):
        next_step.click(force=True)
    _calls_made(page, FEEDBACK_CALLS)
    expect(next_step).to_be_disabled(timeout=WAIT_MS)  # the button sits in a shadow root: a locator finds it
    page.screenshot(path=str(SCREENSHOT))
    assert not errors, errors
