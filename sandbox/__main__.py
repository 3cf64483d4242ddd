"""python -m sandbox generate|serve|demo"""

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        from sandbox.serve import main as serve_main  # written by the fakes; imported lazily

        return serve_main(argv[1:]) or 0
    if argv and argv[0] == "demo":
        from sandbox.demo import main as demo_main  # imports the product (Dagster): lazily

        return demo_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a sandbox data directory")
    gen.add_argument("--leads", type=int, default=2000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--as-of", default="2026-06-30T15:00:00Z")
    gen.add_argument(
        "--profile",
        default="default",
        help="company profile (sandbox/world/profile.py): default, custom-jp or hubspot-smb",
    )
    commands.add_parser("serve", help="serve a data directory (see sandbox.serve)")
    commands.add_parser("demo", help="generate, serve and run the whole pipeline once")
    args = parser.parse_args(argv)
    from sandbox.world import generate

    out = generate(
        args.out, leads=args.leads, seed=args.seed, as_of=args.as_of, profile=args.profile
    )
    print(f"generated {args.leads} leads (seed {args.seed}, profile {args.profile}) in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
