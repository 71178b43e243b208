# The two commands of the README. Each sets up what it needs first.
.PHONY: demo test setup-demo setup-test clean

demo: setup-demo
	.venv/bin/llm-arena demo

test: setup-test
	.venv/bin/python -m pytest -q

setup-demo:
	scripts/setup.sh hf

setup-test:
	scripts/setup.sh dev hf train ray rl providers llama words babyai

clean:
	rm -rf .venv build *.egg-info
