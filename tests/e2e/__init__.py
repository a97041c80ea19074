"""Browser end-to-end tests: headless Chromium (Playwright) against the real demo server."""
