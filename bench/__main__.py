"""Run the benchmarks and print their figures: `make bench` or `python -m bench [names]`.

Each figure is reported with its floor from the same run; docs/benchmarks.md
records the results with the machine and the date.
"""

import argparse
import sys

from bench import common

SUITES = ("autosave", "scoring", "dashboards", "pdf", "excel", "soak")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suites", nargs="*", metavar="suite", help=f"any of {', '.join(SUITES)}")
    parser.add_argument(
        "--seconds", type=float, help="length of timed runs (autosave: 20, soak: 180 by default)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.suites) - set(SUITES)
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    args.suites = args.suites or list(SUITES)

    from bench import setup_django

    env = setup_django.prepare()
    figures: list[common.Figure] = []
    saved = []
    for suite in args.suites:
        if suite == "autosave":
            from bench import autosave

            found = autosave.p3(env, seconds=args.seconds or 20.0) + autosave.r2(env)
        elif suite == "scoring":
            from bench import scoring

            found = scoring.p4(env)
        elif suite == "dashboards":
            from bench import dashboards

            found = dashboards.run(env)
        elif suite == "pdf":
            from bench import pdf

            found = pdf.run(env)
        elif suite == "excel":
            from bench import excel

            found = excel.p5(env)
        elif suite == "soak":
            from bench import soak

            found = soak.run(env, seconds=args.seconds or 180.0)
        # One file per suite, so running one suite keeps the others' last results.
        saved.append(common.save(suite, found))
        figures += found

    print(f"\nMachine: {common.machine()}")
    print("| # | What | Measured | Floor | Ratio | Target | Met |")
    print("|---|---|---|---|---|---|---|")
    for f in figures:
        met = {True: "yes", False: "NO", None: "-"}[f.ok]
        print(f"| {f.key} | {f.what} | {f.measured} | {f.floor} | {f.ratio} | {f.target} | {met} |")
    print("\nSaved to " + ", ".join(str(p.relative_to(common.ROOT)) for p in saved))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
