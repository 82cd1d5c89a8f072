// Package browser drives headless Chromium (Debian's chromium, through
// chromedp) against the local cloud: a candidate answers on the consent
// page and a recruiter works in the console, every page checked with
// axe-core at WCAG 2.2 A and AA and photographed at 360 and 1280 px.
//
// The tests find Chromium on PATH (chromium, chromium-browser) or in
// $CHROMIUM. Without it they skip, except in CI (CI=true), where they fail;
// `make test` installs it where it can. Screenshots go to testdata-out/.
package browser
