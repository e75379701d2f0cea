// Package e2e holds the end-to-end tests of ctg in a real headless
// Chromium (the Debian chromium package), with the axe-core accessibility
// engine from tools/e2e. They are skipped when Chromium or axe-core is
// missing, unless CTG_REQUIRE_BROWSER=1 (as scripts/test.sh sets after
// installing them): then they fail.
package e2e
