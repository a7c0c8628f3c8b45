"""`python -m sagent.tools.synthetic OUT [--video] [--masks]`: one generated room with exact ground truth;
`--benchmark OUT --rooms N`: a set of rooms in VSI-Bench's layout with questions (see benchmark.py)."""

import argparse

from sagent.tools.synthetic.benchmark import write_benchmark
from sagent.tools.synthetic.generator import REALISTIC, Noise, RoomSpec, generate


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sagent.tools.synthetic",
                                     description="Render a synthetic room with exact ground truth, or with --benchmark "
                                                 "a set of rooms in VSI-Bench's layout with questions.")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--size", default="320x240", help="WIDTHxHEIGHT")
    parser.add_argument("--realistic-noise", action="store_true")
    parser.add_argument("--masks", action="store_true")
    parser.add_argument("--video", action="store_true", help="textured surfaces, and video.mp4 + video_detections.json")
    parser.add_argument("--benchmark", action="store_true", help="write a benchmark: videos, posed frames, layouts "
                                                                  "and questions for --rooms rooms from --seed on")
    parser.add_argument("--rooms", type=int, default=8, help="rooms in a --benchmark (default 8)")
    args = parser.parse_args(argv)
    width, height = map(int, args.size.split("x"))
    if args.benchmark:
        summary = write_benchmark(args.out, rooms=args.rooms, frames=args.frames, width=width, height=height,
                                  first_seed=max(1, args.seed))
        print(f"wrote {args.out}: {summary['rooms']} rooms, {summary['questions']} questions")
        return
    spec = RoomSpec(seed=args.seed, frames=args.frames, width=width, height=height,
                    noise=REALISTIC if args.realistic_noise else Noise(), write_masks=args.masks,
                    textured=args.video, video=args.video)
    truth = generate(args.out, spec)
    print(f"wrote {args.out}: {len(truth['objects'])} objects, {args.frames} frames")


if __name__ == "__main__":
    main()
