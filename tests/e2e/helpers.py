"""What every browser test does: log in and out as a demo persona."""

from demo.seed import DEMO_PASSWORD


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def log_out(page, base_url: str) -> None:
    page.click("text=退出")
    page.wait_for_url(f"{base_url}/accounts/login/")
