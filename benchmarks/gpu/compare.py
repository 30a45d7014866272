"""Prints ours vs PyTorch from the two JSON files of one compare-gpu.sh run: ms per training step and
per inference slice, and the ratio ours / PyTorch (below 1 = we are faster). The bar of the CUDA issue
is ratio <= 1.5 in fp32 and tf32."""
import json
import sys


def main(ours_path, torch_path):
    ours, ref = json.load(open(ours_path)), json.load(open(torch_path))
    print(f"ours:    {ours['impl']} on {ours['device']}")
    print(f"PyTorch: {ref['impl']} on {ref['device']}")
    print(f"{'work':<40} {'mode':<5} {'ours ms':>9} {'torch ms':>9} {'ratio':>7}")
    worst = {}
    for key, what in (("train_ms", f"train step, batch {ours['batch']} of {ours['size']}^2"),
                      ("infer_ms", f"inference, one {ours['infer_size']}^2 slice")):
        for mode, ms in ours[key].items():
            if mode not in ref[key]:
                continue
            r = ms / ref[key][mode]
            worst[mode] = max(worst.get(mode, 0), r)
            print(f"{what:<40} {mode:<5} {ms:9.2f} {ref[key][mode]:9.2f} {r:7.2f}")
    for mode in ("fp32", "tf32"):
        if mode in worst:
            print(f"bar ratio <= 1.5 in {mode}: {'met' if worst[mode] <= 1.5 else 'NOT met'} (worst {worst[mode]:.2f})")


if __name__ == "__main__":
    main(*sys.argv[1:3])
