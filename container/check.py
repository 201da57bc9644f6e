"""`make container-test`'s checks of a running ILS Coach container: health, the CLI inside it, one chat answer."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request

import settings
from bench import wsclient
from bench.wsclient import Session
from corpus.model import load as load_framework

SITUATION = "My director and I keep clashing over the budget and the team is caught in the middle"
# The first card's capability as the app's own answer logic gives it, computed inside the container.
EXPECTED = """
import sys
from coach import environment, load_coach
environment()
from conversation import answer
reply = answer.respond(load_coach(safety=False).retriever, (sys.argv[1],))
print(reply.cards[0].match.name if reply.kind == answer.ANSWER and reply.cards else "")
"""


def step(what: str, detail: str) -> None:
    print(f"container-test: {what}: {detail}", flush=True)


def inside(podman: list[str], name: str, *args: str) -> str:
    done = subprocess.run([*podman, "exec", name, *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"container-test: `{' '.join(args[:4])} ...` failed in the container: {done.stderr.strip()}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the container's published address, say http://127.0.0.1:18501")
    parser.add_argument("name", help="the running container")
    parser.add_argument("--podman", default="podman", help="the podman command, with any global options")
    parser.add_argument("--single", action="store_true",
                        help="one Streamlit process, no HAProxy (as container/kubernetes.yaml runs each pod)")
    args = parser.parse_args(argv)
    podman = args.podman.split()
    via = "from the worker" if args.single else "through the proxy"

    with urllib.request.urlopen(args.url + "/_stcore/health", timeout=10) as response:
        body = response.read().decode()
        if response.status != 200 or body.strip() != "ok":
            raise SystemExit(f"container-test: health answered {response.status} {body!r}")
    step(f"health {via}", f"{response.status} {body.strip()}")
    if not args.single:
        with urllib.request.urlopen(args.url + "/", timeout=10) as response:
            cookie = response.headers.get("Set-Cookie", "")
        if not cookie.startswith("ils_coach_worker="):
            raise SystemExit(f"container-test: no worker cookie from HAProxy (Set-Cookie {cookie!r})")
        step("HAProxy in front", cookie.split(";")[0])

    user = inside(podman, args.name, "id", "-u").strip()
    if user == "0":
        raise SystemExit("container-test: the app runs as root in the container")
    step("user in the container", f"uid {user}")

    found = json.loads(inside(podman, args.name, "python", "-m", "retrieval", "search", "--json", SITUATION))
    if found["off_topic"] or not found["capabilities"]:
        raise SystemExit(f"container-test: the CLI found no capability: {found}")
    step("CLI in the container", ", ".join(f"{c['name']} {c['score']:.3f}" for c in found["capabilities"]))

    expected = inside(podman, args.name, "python", "-c", EXPECTED, SITUATION).strip()
    if not expected:
        raise SystemExit("container-test: the app's answer logic gave no card in the container")
    names = [cap.name for cap in load_framework(settings.get().framework).capabilities]

    async def chat() -> wsclient.Run:
        async with Session(args.url, timeout=240) as tab:
            opened = await tab.start()
            if opened.exceptions:
                raise SystemExit(f"container-test: the page raised {opened.exceptions}")
            return await tab.chat(SITUATION)

    answered = wsclient.run(chat(), 300)
    if answered.exceptions or SITUATION not in answered.text:
        raise SystemExit(f"container-test: the chat did not answer ({answered.exceptions or 'message not shown'})")
    first = answered.after(SITUATION).first(names)
    if first != expected:
        raise SystemExit(f"container-test: the chat's first card is {first!r}, the app's logic gives {expected!r}")
    step(f"chat answer {via}", f"first card {first!r} in {answered.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
