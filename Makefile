# Consentflow. Prerequisites: Go 1.26 and Node.js 20 or newer; everything else
# is fetched by these targets (Go modules, and the pinned npm tools).

SHELL := /bin/bash
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

FUNCTIONS := $(notdir $(wildcard functions/*))
ASL := $(wildcard statemachines/*.asl.json)
GOFLAGS_LAMBDA := -tags lambda.norpc -trimpath -buildvcs=false

CDK := npx --no-install cdk

.PHONY: all dev test build build-local synth deploy destroy diff vet asl fuzz clean bench-sfn chromium dev-time

all: test

# npm tools (aws-cdk, aws-ses-v2-local, asl-validator), exactly as locked.
node_modules/.package-lock.json: package.json package-lock.json
	@echo "==> Installing the pinned npm tools (npm ci; about a minute the first time)"
	npm ci --no-audit --no-fund
	@touch $@

## build-local: every function's bootstrap for this machine, for the local cloud.
build-local:
	@echo "==> Building the $(words $(FUNCTIONS)) functions for this machine (the first time, Go fetches modules and compiles the AWS SDK: a few minutes)"
	CGO_ENABLED=0 go build $(GOFLAGS_LAMBDA) -o bin/local/ $(addprefix ./functions/,$(FUNCTIONS))

## build: every function's bootstrap for AWS Lambda (provided.al2023, arm64).
build:
	@echo "==> Building the $(words $(FUNCTIONS)) functions for AWS Lambda (linux/arm64)"
	@for f in $(FUNCTIONS); do \
	  echo "bin/lambda/$$f/bootstrap"; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build $(GOFLAGS_LAMBDA) -ldflags='-s -w' -o bin/lambda/$$f/bootstrap ./functions/$$f || exit 1; \
	done

## dev: run the whole product locally (Ctrl-C stops it).
dev: node_modules/.package-lock.json build-local
	@echo "==> Compiling and starting the local cloud (the first time: about a minute)"
	go run ./infra/local/cmd/localcloud $(DEV_FLAGS)

## asl: validate every state machine definition.
asl: node_modules/.package-lock.json
	@for f in $(ASL); do npx --no-install asl-validator --json-path $$f || exit 1; done

vet:
	go vet ./...

## chromium: the browser the browser tests drive (Debian's chromium). Found on
## PATH or in $$CHROMIUM; installed with apt-get when run as root; otherwise
## make stops with the one command to run.
CHROMIUM_INSTALL := apt-get update && apt-get install -y chromium
chromium:
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests: $(CHROMIUM_INSTALL)"; \
	  export DEBIAN_FRONTEND=noninteractive; $(CHROMIUM_INSTALL) || exit 1; \
	else \
	  echo "The browser tests need Chromium. Install it with: sudo sh -c '$(CHROMIUM_INSTALL)'" >&2; exit 1; \
	fi

## test: every test, against the local services and in Chromium, then each fuzz target briefly
## (-timeout 30m: the CDK package alone can pass the default 10 minutes on a busy machine).
test: node_modules/.package-lock.json build-local asl vet chromium
	CONSENTFLOW_BOOTSTRAPS=$(CURDIR)/bin/local go test -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz

# The parsers of untrusted input (and the local DynamoDB's expression
# parser), each fuzzed for FUZZTIME (seeds in each
# package's testdata/fuzz/<target>/). `make fuzz FUZZTIME=10m` digs deeper;
# a failing input is saved under testdata/fuzz/ and replayed by go test.
FUZZTIME ?= 4s
FUZZ_TARGETS := shared/page:FuzzParseDecisions shared/page:FuzzLanguage shared/httpapi:FuzzDecodeJSON \
	shared/consent:FuzzValidLinkToken shared/consent:FuzzParseLocale infra/local/dynamodb:FuzzExpressions

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t#*:} ($${t%%:*}, $(FUZZTIME))"; \
	  out=$$(go test -run='^$$' -fuzz="^$${t#*:}$$" -fuzztime=$(FUZZTIME) ./$${t%%:*} 2>&1) || { echo "$$out"; exit 1; }; \
	done

## synth: synthesize both AWS stacks into cdk.out/, offline (no credentials needed).
synth: node_modules/.package-lock.json build
	$(CDK) synth --quiet $(CDK_FLAGS)

## diff: what a deploy would change (needs AWS credentials).
diff: node_modules/.package-lock.json build
	$(CDK) diff --all $(CDK_FLAGS)

## deploy: deploy the stateful, then the stateless stack (credentials, a bootstrapped account).
deploy: node_modules/.package-lock.json build
	$(CDK) deploy --all --require-approval broadening $(CDK_FLAGS)

## bench-sfn: the Step Functions engine and aws-local-stepfunctions side by side, one core (PAIRS=10 CORE=0).
bench-sfn: node_modules/.package-lock.json
	infra/local/stepfunctions/benchpair.sh

## dev-time: how long `make dev` takes to be ready (run it in a fresh clone for the cold figure).
dev-time:
	infra/local/devtime.sh

## destroy: delete the stacks CDK_FLAGS names (credentials; the stateful one is protected, see README).
destroy: node_modules/.package-lock.json build
	$(CDK) destroy $(CDK_FLAGS)

clean:
	rm -rf bin cdk.out
