"""``gatedrnn export`` and ``gatedrnn import``: a trained language model to and from a PyTorch file.

export CKPT OUT.pt   a self-contained torch file (state_dict, config, vocabulary, training
                     settings), readable with torch.load(weights_only=True) and rebuilt in
                     PyTorch alone with gatedrnn.interop.TorchLanguageModel(saved["config"]).
import IN.pt CKPT    back to a gatedrnn checkpoint that eval and generate read.

PyTorch is needed for both (pip install "gatedrnn[torch]"). Neither overwrites a file.
"""
from pathlib import Path

from ..errors import GatedRNNError


def export(args):
    from ..interop import save_torch_language_model
    from ..lm import model_from_checkpoint
    from ..lm.run_files import training_config_of

    _refuse_existing(args.output)
    model, vocab, metadata = model_from_checkpoint(args.checkpoint)
    training = training_config_of(metadata, args.checkpoint) if "training" in metadata else None
    save_torch_language_model(model, vocab, args.output, training)
    print(f"wrote {args.output}: {model.num_parameters():,} parameters, vocabulary {len(vocab):,}; in PyTorch: "
          f"saved = torch.load({str(args.output)!r}, weights_only=True); "
          "model = gatedrnn.interop.TorchLanguageModel(saved['config']); model.load_state_dict(saved['state_dict'])")


def import_(args):
    from ..interop import load_torch_language_model
    from ..lm.run_files import save_model_checkpoint

    _refuse_existing(args.checkpoint)
    model, vocab, training = load_torch_language_model(args.torch_file)
    save_model_checkpoint(args.checkpoint, model, vocab, training,
                          run_info=dict(imported_from=str(Path(args.torch_file).resolve())))
    print(f"wrote {args.checkpoint}: {model.num_parameters():,} parameters, vocabulary {len(vocab):,}; try: "
          f"gatedrnn generate {args.checkpoint}")


def _refuse_existing(path):
    if Path(path).exists():
        raise GatedRNNError(f"{path} already exists; choose another name (nothing is overwritten)")


def add_parsers(commands):
    exporter = commands.add_parser("export", help="write a checkpoint's language model as a PyTorch file",
                                   description="Write a checkpoint's model as a self-contained torch file: its "
                                               "state_dict, config, vocabulary and training settings, loadable "
                                               "with torch.load(weights_only=True).")
    exporter.add_argument("checkpoint", help="a .npz written by gatedrnn train")
    exporter.add_argument("output", help="the .pt file to write (must not exist)")
    exporter.set_defaults(handler=export)
    importer = commands.add_parser("import", help="turn a PyTorch file from 'gatedrnn export' into a checkpoint",
                                   description="Read a torch file written by `gatedrnn export` (possibly trained "
                                               "further in PyTorch) with weights_only loading, and write a gatedrnn "
                                               "checkpoint that eval and generate read.")
    importer.add_argument("torch_file", help="the .pt file")
    importer.add_argument("checkpoint", help="the .npz to write (must not exist)")
    importer.set_defaults(handler=import_)
