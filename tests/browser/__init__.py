"""Browser tests: built pages read by Chromium with real MathJax."""
