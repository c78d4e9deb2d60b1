"""Drives `curate review` in headless Chromium with the keyboard and the mouse.

Usage: review_browser.py URL SCREENSHOT.png
Prints one JSON object: the face ids of the first cards, what it pressed, and what the page
showed; the Swift test then checks the catalog. Exits non-zero on any step that fails.
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver: Selenium Manager would otherwise try the network.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def main():
    url, shot = sys.argv[1], sys.argv[2]
    d = browser()
    try:
        wait = WebDriverWait(d, 20)
        d.get(url)
        wait.until(lambda d: d.execute_script("return document.body.dataset.ready") == "1")
        labels = d.execute_script("return cfg.labels")
        cards = d.find_elements(By.CSS_SELECTOR, ".card")
        assert len(cards) >= 5, f"expected at least 5 cards, got {len(cards)}"
        ids = [int(c.get_attribute("data-face-id")) for c in cards[:5]]
        given = [c.get_attribute("data-label") for c in cards[:5]]
        # Every card shows its crop and its source photo (both loaded), and the probability bars.
        for c in cards[:5]:
            imgs = c.find_elements(By.TAG_NAME, "img")
            assert len(imgs) == 2
            wait.until(lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in imgs))
            assert len(c.find_elements(By.CSS_SELECTOR, ".bars .bar")) == len(labels)
        assert d.execute_script("return document.body.dataset.current") == str(ids[0])

        body = d.find_element(By.TAG_NAME, "body")
        done = lambda key, n: wait.until(lambda d: d.execute_script(f"return document.body.dataset.{key}") == str(n)
                                         and not d.execute_script("return document.body.dataset.busy"))

        # 1. relabel card 0 with the digit key of a label other than its own
        target = next(i for i, l in enumerate(labels) if l != given[0])
        body.send_keys(str(target + 1)); done("decisions", 1)
        # 2. accept card 1 with Enter (the cursor moved on by itself)
        assert d.execute_script("return document.body.dataset.current") == str(ids[1])
        body.send_keys(Keys.ENTER); done("decisions", 2)
        # 3. reject card 2, then undo it
        body.send_keys("x"); done("decisions", 3)
        body.send_keys("z"); done("undos", 1)
        undone_current = d.execute_script("return document.body.dataset.current")
        # 4. move with j / k and arrows, then reject card 2 for good
        body.send_keys("j"); body.send_keys(Keys.ARROW_DOWN); body.send_keys("k"); body.send_keys(Keys.ARROW_UP)
        wait.until(lambda d: d.execute_script("return document.body.dataset.current") == str(ids[2]))
        body.send_keys("x"); done("decisions", 4)
        # 5. the mouse: relabel card 4 with its button
        card4 = d.find_element(By.CSS_SELECTOR, f'.card[data-face-id="{ids[4]}"]')
        mouse_label = next(l for l in labels if l != given[4])
        card4.find_element(By.CSS_SELECTOR, f'button[data-action="relabel"][data-label="{mouse_label}"]').click()
        done("decisions", 5)
        shown = {str(i): d.find_element(By.CSS_SELECTOR, f'.card[data-face-id="{i}"]').get_attribute("data-review") for i in ids}
        status = d.find_element(By.ID, "status").text
        d.save_screenshot(shot)

        # The page reloads with reviewed faces gone from the default queue.
        d.get(url)
        wait.until(lambda d: d.execute_script("return document.body.dataset.ready") == "1")
        after = [int(c.get_attribute("data-face-id")) for c in d.find_elements(By.CSS_SELECTOR, ".card")]
        errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
        print(json.dumps({"ids": ids, "given": given, "relabel_to": labels[target], "mouse_label": mouse_label,
                          "undone_current": undone_current, "shown": shown, "status": status,
                          "after_reload": after[:20], "console_errors": [e["message"] for e in errors]}))
    finally:
        d.quit()


if __name__ == "__main__":
    main()
