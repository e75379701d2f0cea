#!/usr/bin/env bash
# Runs every test of ctg on this machine, installing what a fresh machine
# lacks: PostgreSQL for the store tests, Chromium and axe-core for the
# browser tests, pdftotext to read the PDF bilan. Used by the README and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
	if [ -z "$apt_updated" ]; then
		as_root apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	echo "== installation de PostgreSQL"
	apt_install postgresql
fi

if ! command -v chromium >/dev/null 2>&1; then
	echo "== installation de Chromium"
	apt_install chromium
fi

if ! command -v pdftotext >/dev/null 2>&1; then
	echo "== installation de pdftotext (poppler-utils)"
	apt_install poppler-utils
fi

if [ ! -f tools/e2e/node_modules/axe-core/axe.min.js ]; then
	echo "== installation d'axe-core (npm)"
	(cd tools/e2e && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
fi

# mailpit, a real SMTP server for the e-mail tests: a Go program, built
# once into a cache outside the module (it is not a dependency of ctg).
mailpit_version=v1.33.1
tools_dir="${CTG_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctg/tools}/mailpit-$mailpit_version"
if [ ! -x "$tools_dir/mailpit" ]; then
	echo "== installation de mailpit $mailpit_version (go install)"
	mkdir -p "$tools_dir"
	(cd "$tools_dir" && GOBIN="$tools_dir" GOFLAGS=-mod=mod go install "github.com/axllent/mailpit@$mailpit_version")
fi
export CTG_MAILPIT="$tools_dir/mailpit"

echo "== format et analyse"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './tools/*/node_modules/*'))
if [ -n "$unformatted" ]; then
	echo "fichiers non formatés (gofmt -w) :" "$unformatted" >&2
	exit 1
fi
go vet ./...

echo "== tests (SQLite, PostgreSQL et navigateur)"
CTG_REQUIRE_POSTGRES=1 CTG_REQUIRE_BROWSER=1 CTG_REQUIRE_PDFTOTEXT=1 CTG_REQUIRE_SMTP=1 go test -count=1 ./...

# Budgets are counts of inputs (Nx), not durations: with a duration, Go 1.26's
# fuzzing coordinator can report its own end-of-time deadline as a failure
# ("context deadline exceeded", golang/go#75804, fixed in Go 1.27) on a loaded
# machine. The counts are about the former 10 to 20 s on 2 cores.
# Minimizing each new input is slow on 2 cores: cap it so the time goes to fuzzing.
echo "== fuzzing court de l'import YAML"
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "${CTG_FUZZTIME:-10000x}" -fuzzminimizetime 1s ./internal/interchange

echo "== fuzzing court de l'import CSV des valeurs"
go test -run '^$' -fuzz '^FuzzImportValuesCSV$' -fuzztime "${CTG_FUZZTIME:-3000x}" -fuzzminimizetime 1s ./internal/app

echo "== fuzzing court des lecteurs de formulaires (XLSX, CSV)"
go test -run '^$' -fuzz '^FuzzReadXLSX$' -fuzztime "${CTG_FUZZTIME:-5000x}" -fuzzminimizetime 1s ./internal/collection
go test -run '^$' -fuzz '^FuzzReadCSV$' -fuzztime "${CTG_FUZZTIME:-50000x}" -fuzzminimizetime 1s ./internal/collection
