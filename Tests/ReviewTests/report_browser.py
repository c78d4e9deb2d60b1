"""Renders a `curate report` file in headless Chromium and screenshots it.

Usage: report_browser.py REPORT.html SCREENSHOT.png
Prints one JSON object with what the page holds (sections, charts, images decoded, console
errors, the screenshot's size and colour count); the Swift test judges it.
"""
import json
import pathlib
import sys

from PIL import Image
from selenium.webdriver.support.ui import WebDriverWait

from review_browser import browser


def main():
    report, shot = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    d = browser()
    try:
        d.get(report.as_uri())
        WebDriverWait(d, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
        info = d.execute_script("""
            const imgs = [...document.images];
            return {
              sections: [...document.querySelectorAll("section")].map(s => s.id),
              svgs: document.querySelectorAll("svg").length,
              images: imgs.length,
              decoded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
              external: imgs.filter(i => !i.src.startsWith("data:")).length,
              height: document.documentElement.scrollHeight,
              title: document.title,
            };""")
        # The whole page in one screenshot.
        d.set_window_size(1280, min(max(info["height"], 800), 16000))
        d.save_screenshot(shot)
        img = Image.open(shot).convert("RGB")
        small = img.resize((img.width // 4, img.height // 4))
        info["screenshot"] = [img.width, img.height]
        info["colours"] = len(set(small.getdata()))
        info["console_errors"] = [e["message"] for e in d.get_log("browser") if e.get("level") == "SEVERE"]
        print(json.dumps(info))
    finally:
        d.quit()


if __name__ == "__main__":
    main()
