"""Command-line options built from a function's signature, so every default is written once.

A subcommand that ends in ``run(**options)`` should not repeat run()'s defaults in argparse:
two copies drift apart. :func:`add_signature_options` reads them from the signature instead::

    def run(steps=20, lr=3e-3, scales=(1.0, 0.5), gate_init="chrono", progress=True, seed=0): ...

    names = add_signature_options(
        parser, run,
        helps=dict(steps="T, steps back in time", lr="learning rate", scales="factors for W_h",
                   gate_init="gate biases", progress="show a progress bar", seed="random seed"),
        choices=dict(gate_init=("chrono", "pytorch")))
    ...
    args = parser.parse_args()
    run(**{name: getattr(args, name) for name in names})

gives, with each help followed by "(default: …)" from the signature:

    --steps STEPS              int
    --lr LR                    float
    --scales SCALES [...]      one or more floats, parsed into a tuple
    --gate-init {chrono,pytorch}
    --progress, --no-progress  a bool (argparse.BooleanOptionalAction)
    --seed SEED                int

The rules (one parameter → one option, :func:`add_option` for a single one):

* the option is ``--`` + the parameter's name with ``_`` → ``-``; the dest is the name itself;
* the type is the default's: int, float, str; a bool becomes ``--flag/--no-flag``; a tuple
  becomes ``nargs="+"`` of its elements' type and is parsed into a tuple;
* a parameter without a default becomes a positional argument (a string unless told otherwise);
* a default of None says nothing about the type (str is assumed) nor about what None means,
  so nothing is appended to its help: the help text has to say what happens when it is left out;
* ``settings`` adds or overrides argparse keywords per parameter (``type``, ``metavar``, …);
  its key ``"flag"`` renames the option (``{"text_path": {"flag": "--text"}}``).

Every parameter must be described in ``helps`` or skipped in ``exclude``, and every name in
``helps``, ``choices``, ``settings`` and ``exclude`` must be a parameter: a parameter added to
run() later, or renamed, then fails loudly instead of appearing undocumented or vanishing.
Those are programming errors, raised as ValueError / TypeError when the parser is built.
"""

import argparse
import inspect

__all__ = ["add_signature_options", "add_option", "format_default", "options_given"]


def add_signature_options(parser, function, helps, choices=None, exclude=(), settings=None):
    """Add one argparse option (or positional argument) per parameter of ``function``.

    Args:
        parser: an argparse parser (or argument group).
        function: the callable whose signature gives names, defaults and types.
        helps: parameter name → help text, without the default (it is appended).
        choices: parameter name → the allowed values (for a tuple, the allowed elements).
        exclude: parameter names to leave off the command line (run() keeps its default).
        settings: parameter name → extra ``add_argument`` keywords; ``"flag"`` renames the option.

    Returns:
        The names of the parameters added, in signature order: the keyword arguments to take
        from the parsed namespace and pass to ``function``.
    """
    choices, settings, exclude = dict(choices or {}), dict(settings or {}), set(exclude)
    parameters = _parameters(function)
    _check_names(function, parameters, helps, choices, settings, exclude)
    added = []
    for name, parameter in parameters.items():
        if name in exclude:
            continue
        default = None if parameter.default is inspect.Parameter.empty else parameter.default
        add_option(
            parser,
            name,
            default,
            helps[name],
            choices.get(name),
            positional=parameter.default is inspect.Parameter.empty,
            **settings.get(name, {}),
        )
        added.append(name)
    return added


def options_given(args):
    """The keyword arguments for the run() a parser was built from: the parsed values of the
    names :func:`add_signature_options` returned, which the caller stored as
    ``parser.set_defaults(option_names=names)``."""
    return {name: getattr(args, name) for name in args.option_names}


def add_option(parser, name, default, help, choices=None, positional=False, flag=None, **settings):
    """Add the option for one parameter ``name`` with ``default``; returns the argparse Action.

    The building block of :func:`add_signature_options`, for options whose name and default
    come from somewhere other than a signature (a dataclass field, a constant). ``settings``
    are extra ``add_argument`` keywords and override the derived ones; ``flag`` renames the
    option; ``positional`` makes a required positional argument (its default is ignored).
    """
    keywords = dict(_keywords_for(name, default), help=help, **({"choices": choices} if choices else {}))
    keywords.update(settings)
    if positional:
        keywords.pop("default", None)
        return parser.add_argument(name, **keywords)
    _check_default_in_choices(name, default, choices)
    action = parser.add_argument(flag or "--" + name.replace("_", "-"), dest=name, **keywords)
    if default is not None:
        # Set after construction: some Python versions' BooleanOptionalAction append a default
        # of their own, and the help must show it once, in one format, for every kind of option.
        action.help = " ".join(part for part in (help, f"(default: {_escaped(format_default(default))})") if part)
    return action


def format_default(value):
    """A default as shown in help: a tuple space-separated, as it is typed; anything else as str()."""
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    return str(value)


class _StoreTuple(argparse.Action):
    """nargs="+" parsed into a tuple, the type the signature's default has."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, tuple(values))


def _keywords_for(name, default):
    """argparse keywords for a parameter with ``default``: the type it implies, and the default."""
    if isinstance(default, bool):  # before int: bool is an int in Python
        return dict(action=argparse.BooleanOptionalAction, default=default)
    if isinstance(default, tuple):
        return dict(nargs="+", type=_element_type(name, default), action=_StoreTuple, default=default)
    if default is None or type(default) in (int, float, str):
        return dict(type=str if default is None else type(default), default=default)
    raise TypeError(
        f"cannot derive a command-line type from {name}={default!r}; pass settings="
        f"{{{name!r}: {{'type': ...}}}} or exclude it"
    )


def _element_type(name, values):
    """The one type of a tuple default's elements (int, float or str); ints among floats count as floats."""
    types = {type(value) for value in values}
    if types == {int, float}:
        return float
    if len(types) == 1 and types <= {int, float, str}:
        return types.pop()
    raise TypeError(
        f"cannot derive a command-line type from {name}={values!r}: its elements need one type "
        "among int, float and str (an empty tuple has none); pass settings with a 'type'"
    )


def _parameters(function):
    """name → inspect.Parameter, without *args and **kwargs (no option can stand for them)."""
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {
        name: parameter
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.kind not in variadic
    }


def _check_names(function, parameters, helps, choices, settings, exclude):
    """Every parameter described or excluded, and every given name a parameter."""
    where = getattr(function, "__qualname__", repr(function))
    for what, names in (("helps", helps), ("choices", choices), ("settings", settings), ("exclude", exclude)):
        unknown = sorted(set(names) - set(parameters))
        if unknown:
            raise ValueError(f"{what} names {', '.join(unknown)}, which {where}() does not take")
    undescribed = [name for name in parameters if name not in helps and name not in exclude]
    if undescribed:
        raise ValueError(f"{where}() parameters {', '.join(undescribed)} have no help text; describe or exclude them")


def _check_default_in_choices(name, default, choices):
    """A default outside its own choices would be a value the user could not type back."""
    if not choices or default is None:
        return
    values = default if isinstance(default, tuple) else (default,)
    outside = [value for value in values if value not in choices]
    if outside:
        raise ValueError(f"the default of {name} ({format_default(default)}) is not among its choices {list(choices)}")


def _escaped(text):
    """argparse %-formats help strings: a literal % must be doubled."""
    return text.replace("%", "%%")
