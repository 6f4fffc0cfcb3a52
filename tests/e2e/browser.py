"""Real-browser helpers for end-to-end tests: Debian's Chromium driven by Playwright.

We never run `playwright install` (it downloads browsers from a CDN); the system's
Chromium is used instead. Without it a laptop skips the browser tests, while CI (where
`CI` is set) fails, so a missing browser can never turn a red build green.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterator, Sequence, Tuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container, and quiet: no GPU, no QUIC, no first-run, sync, update or
# other background traffic, so every request a test sees is one the page made.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The text colour of an element and the first opaque background behind it (its own or an
# ancestor's); the page's canvas is white when nothing paints one.
_TEXT_COLORS_JS = """element => {
  const color = getComputedStyle(element).color;
  for (let node = element; node; node = node.parentElement) {
    const background = getComputedStyle(node).backgroundColor;
    if (background !== 'transparent' && !/^rgba\\(.*,\\s*0\\)$/.test(background)) return [color, background];
  }
  return [color, 'rgb(255, 255, 255)'];
}"""
_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\s*\)")


@contextlib.contextmanager
def chromium(args: Sequence[str] = CHROMIUM_ARGS) -> Iterator[Browser]:
    """A headless Chromium, closed afterwards; skips (fails on CI) when it is not installed."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(args))
        try:
            yield browser
        finally:
            browser.close()


def parse_rgb(css_color: str) -> Tuple[float, float, float, float]:
    """(r, g, b, alpha) of a computed `rgb()`/`rgba()` colour, as getComputedStyle reports it."""
    match = _RGB.fullmatch(css_color.strip())
    if not match:
        raise ValueError(f"not an rgb() colour: {css_color!r}")
    red, green, blue, alpha = match.groups()
    opacity = 1.0 if alpha is None else float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
    return float(red), float(green), float(blue), opacity


def _luminance(rgb: Tuple[float, float, float]) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two computed CSS colours; the background must be opaque."""
    fg, bg = parse_rgb(foreground), parse_rgb(background)
    if bg[3] < 1:
        raise ValueError(f"background {background!r} is not opaque; pass the colour actually behind the text")
    # Blend a translucent foreground over the background, as the browser paints it.
    alpha = fg[3]
    blended = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3]))
    lighter, darker = sorted((_luminance(blended), _luminance(bg[:3])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_contrast(element: Locator) -> float:
    """Contrast ratio of `element`'s text against the background it is painted on."""
    color, background = element.evaluate(_TEXT_COLORS_JS)
    return contrast_ratio(color, background)


def save_screenshot(page: Page, path: Path, full_page: bool = False) -> None:
    """Save to `path` (under results/browser/), and to docs/ when UPDATE_DOCS_SCREENSHOTS=1."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        (PROJECT_ROOT / "docs" / path.name).write_bytes(path.read_bytes())


def sign_in(page: Page, staff_url: str, email: str, password: str) -> None:
    """Sign in to the staff console as a person does, and wait for the queue."""
    page.goto(f"{staff_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{staff_url}/handoffs")
