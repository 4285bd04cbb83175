"""Where a save's time goes under load: `python -m bench.profile_autosave [--seconds N]`.

Serves the app with gunicorn exactly as P3 does (4 processes x 4 threads, bench
settings, PostgreSQL), lets 16 clients save back to back, and samples every
gunicorn process with py-spy (`uvx py-spy`, a tool run on its own, not a
dependency of the app). Prints the functions holding the most samples, by own
time and with what they call, plus the share of each part of the stack (our
code, Django's middleware, the database driver, templates); the raw samples
are kept in bench/results/profile-autosave.txt.
"""

import argparse
import collections
import shutil
import subprocess
import sys
import time

from bench.autosave import AnswerClient, _fixtures, _run
from bench.common import RESULTS, gunicorn


def summarise(raw: str, top: int = 25) -> str:
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f]
        # py-spy's first frame names the process/thread; keep function frames only.
        frames = [f for f in frames if "(" in f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples (CPU only, idle threads left out)", "", "Own time:"]
    for frame, n in own.most_common(top):
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    lines += ["", "With what they call:"]
    for frame, n in inclusive.most_common(top * 2):
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_autosave")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    uvx = shutil.which("uvx")
    if uvx is None:
        raise SystemExit("needs uvx (uv) to run py-spy")

    from bench import setup_django
    from bench.common import session_cookie

    env = setup_django.prepare()
    user, work = _fixtures(args.clients, "profile")
    cookie = session_cookie(user)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "profile-autosave.txt"
    with gunicorn(env=env) as port:
        warm = [AnswerClient(port, cookie, a, k, time.monotonic() + 3) for a, k in work]
        _run(warm, 0)
        master = subprocess.run(
            ["pgrep", "-f", f"gunicorn config.wsgi --bind 127.0.0.1:{port}", "-o"],
            capture_output=True, text=True, check=True,
        ).stdout.split()[0]  # fmt: skip
        spy = subprocess.Popen(
            [uvx, "py-spy", "record", "--pid", master, "--subprocesses", "--format", "raw",
             "--rate", "250", "--duration", str(int(args.seconds)), "--output", str(out),
             "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1.0)
        stop_at = time.monotonic() + args.seconds
        group = [AnswerClient(port, cookie, a, k, stop_at) for a, k in work]
        for client, w in zip(group, warm, strict=True):
            client.revisions = w.revisions
        _, statuses, errors, elapsed = _run(group, 0)
        _, err = spy.communicate(timeout=args.seconds + 60)
        if spy.returncode:
            print(err, file=sys.stderr)
    print(f"{statuses.get(200, 0) / elapsed:.0f} saves/s, statuses {statuses}, errors {errors}")
    print(summarise(out.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
