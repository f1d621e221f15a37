"""``gatedrnn export`` and ``gatedrnn import``: a trained language model to and from a PyTorch file.

export CKPT OUT.pt   a self-contained torch file (state_dict, config, vocabulary, training
                     settings, the run record of what it was trained on), readable with
                     torch.load(weights_only=True) and rebuilt in PyTorch alone with
                     gatedrnn.interop.TorchLanguageModel(saved["config"]).
import IN.pt CKPT    back to a gatedrnn checkpoint that eval and generate read, with the same
                     run record (so eval finds the data and generate shapes prompts the same way).

PyTorch is needed for both (pip install "gatedrnn[torch]"). Neither overwrites a file; the
checks live in gatedrnn.interop.export_import, so the Python API refuses the same things.
"""

import sys


def export(args):
    from ..interop import export_checkpoint

    model, vocab = export_checkpoint(args.checkpoint, args.output)
    print(
        f"wrote {args.output}: {model.num_parameters():,} parameters, vocabulary {len(vocab):,}; in PyTorch: "
        f"saved = torch.load({str(args.output)!r}, weights_only=True); "
        "model = gatedrnn.interop.TorchLanguageModel(saved['config']); model.load_state_dict(saved['state_dict'])"
    )


def import_(args):
    from ..interop import import_torch_file

    loaded = import_torch_file(args.torch_file, args.checkpoint)
    if not loaded.run:  # the file imports, but what it was trained on is lost
        print(
            f"gatedrnn: warning: {args.torch_file} carries no run record (an old export, or saved again "
            "without saved['run']): eval needs --text FILE, and --lowercase or other data options are not "
            "known; keep the run record when you save the file",
            file=sys.stderr,
        )
    print(
        f"wrote {args.checkpoint}: {loaded.model.num_parameters():,} parameters, vocabulary {len(loaded.vocab):,}; "
        f"try: gatedrnn generate {args.checkpoint}"
    )


def add_parsers(commands):
    exporter = commands.add_parser(
        "export",
        help="write a checkpoint's language model as a PyTorch file",
        description="Write a checkpoint's model as a self-contained torch file: its "
        "state_dict, config, vocabulary, training settings and the record of "
        "its training data, loadable with torch.load(weights_only=True).",
    )
    exporter.add_argument("checkpoint", help="a .npz written by gatedrnn train")
    exporter.add_argument("output", help="the .pt file to write (must not exist)")
    exporter.set_defaults(handler=export)
    importer = commands.add_parser(
        "import",
        help="turn a PyTorch file from 'gatedrnn export' into a checkpoint",
        description="Read a torch file written by `gatedrnn export` (possibly trained "
        "further in PyTorch) with weights_only loading, and write a gatedrnn "
        "checkpoint that eval and generate read (refused in one line, writing "
        "nothing, if they would not).",
    )
    importer.add_argument("torch_file", help="the .pt file")
    importer.add_argument("checkpoint", help="the .npz to write (must not exist)")
    importer.set_defaults(handler=import_)
