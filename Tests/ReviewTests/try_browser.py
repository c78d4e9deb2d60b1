"""Uploads photos on the "try an image" page of `curate review` in headless Chromium.

Usage: try_browser.py URL FACE.png NOFACE.png NOTANIMAGE SCREENSHOT.png
URL is the review page's URL (with its token). Prints one JSON object with what the page showed.
"""
import json
import sys
from urllib.parse import urlsplit, urlunsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from review_browser import browser


def main():
    url, face, noface, junk, shot = sys.argv[1:6]
    parts = urlsplit(url)
    try_url = urlunsplit((parts.scheme, parts.netloc, "/try", parts.query, ""))
    d = browser()
    out = {}
    try:
        wait = WebDriverWait(d, 60)
        d.get(try_url)

        def upload(path):
            d.execute_script("document.body.dataset.state = ''")
            d.find_element(By.ID, "file").send_keys(path)
            d.find_element(By.ID, "predict").click()
            wait.until(lambda d: d.execute_script("return document.body.dataset.state") in ("done", "error"))
            img = d.find_element(By.ID, "drawn")
            return {
                "state": d.execute_script("return document.body.dataset.state"),
                "faces": d.execute_script("return document.body.dataset.faces"),
                "predicted": [c.get_attribute("data-predicted") for c in d.find_elements(By.CSS_SELECTOR, "td[data-predicted]")],
                "message": d.find_element(By.ID, "message").text,
                "drawn_width": d.execute_script("return arguments[0].hidden ? 0 : arguments[0].naturalWidth", img),
            }

        out["face"] = upload(face)
        d.save_screenshot(shot)
        Select(d.find_element(By.ID, "add-label")).select_by_visible_text("happy")
        d.find_element(By.ID, "add-button").click()
        wait.until(lambda d: d.execute_script("return document.body.dataset.added") == "happy")
        out["added_message"] = d.find_element(By.ID, "message").text
        out["noface"] = upload(noface)
        out["junk"] = upload(junk)
        out["console_errors"] = [e["message"] for e in d.get_log("browser")
                                 if e.get("level") == "SEVERE" and "/api/predict" not in e["message"]]
        print(json.dumps(out))
    finally:
        d.quit()


if __name__ == "__main__":
    main()
