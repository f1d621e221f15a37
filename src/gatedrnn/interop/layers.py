"""Single layers to and from PyTorch: ``nn.RNN``, ``nn.LSTM``, ``nn.GRU``, ``nn.Embedding``, ``nn.Linear``,
``nn.AdaptiveLogSoftmaxWithLoss``.

gatedrnn keeps PyTorch's parameter names and layouts (gate order i, f, g, o for the LSTM and
r, z, n for the GRU; weights shaped (out, in)), so the weights are a copy of each array under
the same name. What is converted is the configuration, and a setting one side has and the
other cannot represent is refused in one line rather than dropped:

    torch → gatedrnn   LSTM proj_size; Embedding max_norm (it rescales rows on lookup),
                       padding_idx (its row gets no gradient), scale_grad_by_freq, sparse
                       gradients; reparametrised weights (weight_norm, parametrizations);
                       an AdaptiveLogSoftmaxWithLoss cluster of 0 features
    gatedrnn → torch   locked_dropout, recurrent_dropout, weight_drop, residual, an Embedding's
                       row_dropout, GRU(reset_after=False)

The training/eval mode carries over from torch, so a converted module in eval mode computes
what it computed (dropout off).
"""

from ..errors import GatedRNNError
from ..layers import CELL_CLASSES, AdaptiveLogSoftmaxWithLoss, Embedding, Linear, Recurrent
from .lazy_torch import import_torch

# Every registered cell that PyTorch has (gatedrnn.layers.registry), then the other layers.
SUPPORTED = ", ".join(
    [cell.torch_name for cell in CELL_CLASSES if cell.torch_name]
    + ["Embedding", "Linear", "AdaptiveLogSoftmaxWithLoss"]
)
_TORCH_DTYPE_NAMES = {"float32": "float32", "float64": "float64"}


def layer_from_torch(module, arrays, dtype):
    """The gatedrnn layer for a torch ``module`` holding ``arrays`` (its checked state_dict) in ``dtype``."""
    nn = import_torch().nn
    cell = _cell_of(module, nn)
    if cell is not None:
        layer = _recurrent_from_torch(module, cell, dtype)
    elif isinstance(module, nn.Embedding):
        _check_plain_embedding(module)
        layer = Embedding(module.num_embeddings, module.embedding_dim, dtype=dtype)
    elif isinstance(module, nn.Linear):
        layer = Linear(module.in_features, module.out_features, bias=module.bias is not None, dtype=dtype)
    elif isinstance(module, nn.AdaptiveLogSoftmaxWithLoss):
        _check_no_empty_cluster(module)
        layer = AdaptiveLogSoftmaxWithLoss(
            module.in_features,
            module.n_classes,
            module.cutoffs[:-1],
            div_value=module.div_value,
            head_bias=bool(module.head_bias),
            dtype=dtype,
        )
    else:
        raise GatedRNNError(f"from_torch does not support {type(module).__name__}; supported: {SUPPORTED}")
    _check_same_names(module, arrays, layer)
    layer.load_state_dict(arrays)
    return layer.train(bool(module.training))


def _cell_of(module, nn):
    """The registered cell whose torch class ``module`` is an instance of, or None.

    isinstance, not the class name: a subclass of nn.RNN is still an Elman RNN."""
    return next(
        (cell for cell in CELL_CLASSES if cell.torch_name and isinstance(module, getattr(nn, cell.torch_name))), None
    )


def _recurrent_from_torch(module, cell, dtype):
    kind = type(module).__name__
    if getattr(module, "proj_size", 0):
        raise GatedRNNError(f"cannot convert this {kind}: proj_size is not supported; build it with proj_size=0")
    kwargs = dict(
        num_layers=module.num_layers,
        bias=bool(module.bias),
        batch_first=bool(module.batch_first),
        dropout=module.dropout,
        bidirectional=bool(module.bidirectional),
        dtype=dtype,
    )
    options = {name: getattr(module, name) for name in cell.torch_options}  # the RNN's nonlinearity
    return cell(module.input_size, module.hidden_size, **options, **kwargs)


def _check_plain_embedding(module):
    """Refuse the nn.Embedding options that change what it computes or how it trains."""
    refused = [
        (
            module.max_norm is not None,
            f"max_norm={module.max_norm}",
            "it renormalises looked-up rows in place, which gatedrnn's Embedding does not; renormalise the "
            "weights yourself and build it with max_norm=None",
        ),
        (
            module.padding_idx is not None,
            f"padding_idx={module.padding_idx}",
            "gatedrnn's Embedding would train that row; build it with padding_idx=None (mask the padding "
            "positions in the loss instead)",
        ),
        (
            bool(module.scale_grad_by_freq),
            "scale_grad_by_freq=True",
            "gatedrnn's Embedding has no such gradient scaling; build it with scale_grad_by_freq=False",
        ),
        (bool(module.sparse), "sparse=True", "gatedrnn's gradients are dense; build it with sparse=False"),
    ]
    for present, setting, why in refused:
        if present:
            raise GatedRNNError(f"cannot convert this Embedding: {setting} has no gatedrnn equivalent ({why})")


def _check_no_empty_cluster(module):
    """torch builds a cluster whose projection has 0 features (its classes then share a uniform
    distribution); gatedrnn refuses to build one, so it cannot take it over."""
    for k, projection in enumerate(module.tail):
        if projection[0].out_features == 0:
            raise GatedRNNError(
                f"cannot convert this AdaptiveLogSoftmaxWithLoss: tail.{k} projects to 0 features "
                f"(in_features {module.in_features} // div_value^{k + 1}), which gatedrnn does not "
                "build; rebuild it with a smaller div_value or fewer cutoffs"
            )


def _check_same_names(module, arrays, layer):
    """A plain torch layer has exactly the gatedrnn layer's parameter names; weight_norm and
    parametrizations rename them (weight_g/weight_v, parametrizations.weight.original)."""
    if list(arrays) != list(layer.state_dict()):
        unexpected = [name for name in arrays if name not in layer.state_dict()]
        shown = unexpected[:3] or list(arrays)[:3]
        raise GatedRNNError(
            f"cannot convert this {type(module).__name__}: its state_dict has {shown} where the plain "
            "module has none (a weight_norm or parametrization?); remove it first "
            "(torch.nn.utils.parametrize.remove_parametrizations or remove_weight_norm)"
        )


def layer_to_torch(layer):
    """The torch module with ``layer``'s configuration (weights not yet copied), in its dtype."""
    torch = import_torch()
    nn = torch.nn
    if (
        not isinstance(layer, (Recurrent, Embedding, Linear, AdaptiveLogSoftmaxWithLoss))
        or getattr(layer, "torch_name", "") is None
    ):
        raise GatedRNNError(f"to_torch does not support {type(layer).__name__}; supported: {SUPPORTED}")
    dtype = getattr(torch, _TORCH_DTYPE_NAMES.get(str(layer.dtype), "float32"))
    if isinstance(layer, Recurrent):
        _check_torch_has_recurrent(layer)
        kwargs = dict(
            num_layers=layer.num_layers,
            bias=layer.bias,
            batch_first=layer.batch_first,
            dropout=layer.dropout,
            bidirectional=layer.bidirectional,
            dtype=dtype,
        )
        options = {name: getattr(layer, name) for name in layer.torch_options}
        return getattr(nn, layer.torch_name)(layer.input_size, layer.hidden_size, **options, **kwargs)
    if isinstance(layer, Embedding):
        if layer.row_dropout:
            raise GatedRNNError(
                "torch.nn.Embedding has no row dropout; build the gatedrnn Embedding with row_dropout=0 to convert it"
            )
        return nn.Embedding(layer.num_embeddings, layer.embedding_dim, dtype=dtype)
    if isinstance(layer, AdaptiveLogSoftmaxWithLoss):
        return nn.AdaptiveLogSoftmaxWithLoss(
            layer.in_features,
            layer.n_classes,
            layer.cutoffs[:-1],
            div_value=layer.div_value,
            head_bias=layer.head_bias,
            dtype=dtype,
        )
    return nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None, dtype=dtype)


def _check_torch_has_recurrent(layer):
    """Refuse the recurrent settings torch's nn.RNN/LSTM/GRU have no counterpart for."""
    if getattr(layer, "locked_dropout", False) and layer.dropout:
        raise GatedRNNError(
            "PyTorch's recurrent layers have no locked dropout; build the gatedrnn layer with "
            "locked_dropout=False to convert it"
        )
    for name in ("recurrent_dropout", "weight_drop"):
        if getattr(layer, name, 0.0):
            raise GatedRNNError(
                f"PyTorch's recurrent layers have no {name}; build the gatedrnn layer with {name}=0 to convert it"
            )
    if getattr(layer, "residual", False):
        raise GatedRNNError(
            "PyTorch's recurrent layers have no skip connections between layers; build the gatedrnn layer "
            "with residual=False to convert it, or stack one-layer torch modules and add the skips yourself"
        )
    if not getattr(layer, "reset_after", True):
        raise GatedRNNError(
            "torch.nn.GRU applies the reset gate after W_hn only; a GRU(reset_after=False) has no "
            "PyTorch counterpart to convert to"
        )
