"""Generate the Koytendag planning data (deterministic).

Usage: python examples/koytendag/generate.py [--resolution 1.0] [--out examples/koytendag/data] [--force]
Writes koytendag_<res>.nc, markhor_connectivity_<res>.npz and places.csv and prints the data digest.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import koytendag  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolution", type=float, default=1.0, help="cell size in km (1.0, or 0.25 for the fine grid)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--force", action="store_true", help="regenerate even if the files exist")
    args = ap.parse_args(argv)
    tag = f"{int(args.resolution * 1000)}m" if args.resolution < 1 else f"{args.resolution:g}km"
    target = os.path.join(args.out, f"koytendag_{tag}.nc")
    if os.path.isfile(target) and not args.force:
        import xarray as xr

        with xr.open_dataset(target) as existing:
            current = existing.attrs.get("generator_digest") == koytendag.generator_digest()
        current = current and os.path.isfile(os.path.join(args.out, "places.csv"))
        if current:
            print(f"{target} is up to date (use --force to regenerate)")
            return 0
        print(f"{target} was made by an older generator; regenerating")
    t0 = time.perf_counter()
    info = koytendag.write(args.out, args.resolution)
    print(f"wrote {info['netcdf']} and {info['connectivity']} in {time.perf_counter() - t0:.1f} s; "
          f"digest {info['digest'][:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
