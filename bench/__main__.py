"""`python -m bench` runs the benchmarks; `--help` lists the options."""

# The guard matters: load-generator processes are spawned and re-import this module.
if __name__ == "__main__":
    import sys

    from bench.cli import main

    sys.exit(main())
