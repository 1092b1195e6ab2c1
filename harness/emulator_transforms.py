"""fakesnow's statement transforms, each run only on the nodes it can change.

fakesnow turns a Snowflake statement into DuckDB's with about 75 transforms
(`FakeSnowflakeCursor._transform`), each a walk of the whole tree calling its function on
every node. The walks, not the functions, are the cost: over the 398 distinct statements of
a `mart check-snowflake` that go through them (90,000 nodes), the same 75 walks with
functions that change nothing took 6.8 s, the real ones 7.1 s; that was the emulator
server's largest share of CPU. Every one of those functions returns a node untouched unless
the node is an instance of certain classes (the first test of each function, read from
fakesnow 0.12.1's source and named in `STEPS`). So the tree is walked once to index its
nodes by class, in the order fakesnow's walk visits them (depth first, left to right), and
each transform is called on the indexed nodes of its classes only, in fakesnow's order of
transforms; the index is taken again after a transform that replaced a node or may have
changed one in place.

What fakesnow's walk does, this does: a replaced node is set into its parent (or becomes the
tree, at the root), and nothing that was under a replaced node is visited by the same
transform, wherever the new node put it.
`test_snowflake_check` compares both on every statement of the project. With another
fakesnow than the one `STEPS` was read from, the emulator keeps fakesnow's own walk
(`matches_fakesnow`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from fakesnow.transforms.transforms import _NUMERIC_ONLY_AGGS  # the aggregates it casts for
from sqlglot import exp


# fakesnow.cursor.FakeSnowflakeCursor._transform's transforms, in its order.
@dataclass(frozen=True)
class Step:
    """One of fakesnow's transforms: its function's name in fakesnow.transforms, the node
    classes it can change, whether it may change the tree's structure in place (else only by
    returning a new node; setting an attribute that is no node, like a string, is no change
    of structure), the node classes the tree must hold for it to change anything, and its
    arguments besides the node, from the cursor and the statement's parameters."""

    name: str
    classes: tuple[type, ...]
    in_place: bool = False
    requires: tuple[type, ...] = ()
    arguments: Callable[[object, object], tuple[tuple, dict]] | None = None


FAKESNOW_VERSION = "0.12.1"  # the version whose functions' guards STEPS was read from
SHOW = (exp.Show,)


def _in_schema(cursor, _params):
    return (cursor._conn.database, cursor._conn.schema), {}


STEPS: tuple[Step, ...] = (
    Step("identifier", (exp.Table,), arguments=lambda cursor, params: ((params,), {})),
    Step("upper_case_unquoted_identifiers", (exp.Identifier,)),
    Step("alter_session", (exp.Alter,)),
    Step(
        "update_variables",
        (exp.Set, exp.Alias),
        arguments=lambda cursor, _params: ((), {"variables": cursor._conn.variables}),
    ),
    Step("current_version", (exp.CurrentVersion,)),
    Step(
        "set_schema",
        (exp.Use,),
        arguments=lambda cursor, _params: ((), {"current_database": cursor._conn.database}),
    ),
    Step(
        "create_database",
        (exp.Create,),
        arguments=lambda cursor, _params: ((), {"db_path": cursor._conn.db_path}),
    ),
    Step("extract_comment_on_table", (exp.Create, exp.Comment, exp.Alter)),
    Step("extract_comment_on_columns", (exp.Alter,), in_place=True),
    Step("information_schema_fs", (exp.Table,), in_place=True),
    Step(
        "information_schema_databases",
        (exp.Table,),
        arguments=lambda cursor, _params: ((), {"current_schema": cursor._conn.schema}),
    ),
    Step("drop_schema_cascade", (exp.Drop,)),
    Step("tag", (exp.Alter, exp.Command, exp.Create, exp.Drop)),
    Step("semi_structured_types", (exp.DataType,)),
    Step("try_parse_json", (exp.Anonymous,)),
    Step("split", (exp.Split,)),
    Step("trim_cast_varchar", (exp.Trim,)),
    Step("indices_to_json_extract", (exp.Bracket,), in_place=True),
    Step("json_extract_cast_as_varchar", (exp.Cast,), True, (exp.JSONExtract,)),
    Step("json_extract_cased_as_varchar", (exp.Upper, exp.Lower), True, (exp.JSONExtract,)),
    Step("json_extract_precedence", (exp.JSONExtract, exp.JSONExtractScalar)),
    Step("flatten_value_cast_as_varchar", (exp.Cast,), requires=(exp.Explode,)),
    Step("flatten", (exp.Lateral, exp.TableFromRows)),
    Step("regex_replace", (exp.RegexpReplace,), in_place=True),
    Step("regex_substr", (exp.RegexpExtract,), in_place=True),
    Step("result_scan", (exp.Select,)),  # marks the SELECT with a string
    Step("sequence_nextval", (exp.Column,)),
    Step("values_columns", (exp.Values,), in_place=True),
    Step("to_date", (exp.Anonymous,)),
    Step("timestamp_offsets", (exp.Cast,)),  # rewrites a literal's string
    Step("to_decimal", (exp.ToNumber,), in_place=True),
    Step("to_timestamp", (exp.UnixToTime, exp.Anonymous, exp.Cast)),
    Step("to_variant", (exp.ToVariant,)),
    Step("object_construct", (exp.StarMap, exp.Struct), in_place=True),
    Step("timestamp_ntz", (exp.DataType,)),
    Step("float_to_double", (exp.DataType,)),  # sets the type's name
    Step("integer_precision", (exp.DataType,)),
    Step("extract_text_length", (exp.Create, exp.Alter)),  # notes lengths on the statement
    Step("sample", (exp.TableSample,), in_place=True),
    Step("array_size", (exp.ArraySize,)),
    Step("random", (exp.Select,), True, (exp.Rand,)),
    Step("array_agg_within_group", (exp.WithinGroup,), in_place=True),
    Step("array_agg", (exp.ArrayAgg, exp.Window)),
    Step("object_agg", (exp.ObjectAgg,), in_place=True),
    Step("array_construct_etc", (exp.ArrayConstructCompact, exp.Array, exp.ArrayConcat)),
    Step("dateadd_date_cast", (exp.DateAdd,), in_place=True),
    Step("dateadd_string_literal_timestamp_cast", (exp.DateAdd,)),
    Step("datediff_string_literal_timestamp_cast", (exp.DateDiff,), in_place=True),
    Step("show_databases", SHOW),
    Step("show_functions", (exp.Show, exp.Command)),
    Step("show_procedures", SHOW),
    Step("show_parameters", (exp.Command,)),
    Step("show_warehouses", SHOW),
    Step("show_schemas", SHOW, arguments=lambda cursor, _params: ((cursor._conn.database,), {})),
    Step("show_tables_etc", SHOW, arguments=_in_schema),
    Step("show_columns", SHOW, arguments=_in_schema),
    Step("show_stages", SHOW, arguments=_in_schema),
    Step("show_sequences", SHOW, arguments=_in_schema),
    *(
        Step(
            "show_keys",
            SHOW,
            arguments=lambda cursor, _params, kind=kind: ((cursor._conn.database,), {"kind": kind}),
        )
        for kind in ("PRIMARY", "UNIQUE", "FOREIGN")
    ),
    Step("show_users", SHOW),
    Step("create_user", (exp.Command,)),
    Step("haversine", (exp.Anonymous,)),
    Step("hex_string", (exp.HexString,)),
    Step("sha256", (exp.SHA2, exp.SHA2Digest, exp.Anonymous)),
    Step("create_clone", (exp.Create,)),
    Step("alias_in_join", (exp.Select,), True, (exp.Join,)),
    Step("alias_in_where", (exp.Select,), True, (exp.Where, exp.Anonymous)),
    Step("alter_table_strip_cluster_by", (exp.Alter, exp.Command)),
    Step("numeric_agg_implicit_cast", _NUMERIC_ONLY_AGGS, in_place=True),
    Step("create_stage", (exp.Create,), arguments=_in_schema),
    Step("create_file_format", (exp.Create,), arguments=_in_schema),
    Step(
        "list_stage",
        (exp.ListStage,),
        in_place=True,
        arguments=lambda cursor, _params: (
            (cursor._conn.database, cursor._conn.schema, cursor._conn.table_stages),
            {},
        ),
    ),
    Step(
        "put_stage",
        (exp.Put,),
        in_place=True,
        arguments=lambda cursor, params: (
            (cursor._conn.database, cursor._conn.schema, params, cursor._conn.table_stages),
            {},
        ),
    ),
    Step(
        "create_table_as",
        (exp.Create,),
        True,
        (exp.Schema,),
        arguments=lambda cursor, _params: ((cursor._duck_conn,), {}),
    ),
)


class _Index:
    """A tree's nodes in the order of a depth-first, left-to-right walk (fakesnow's), each
    node's place in it and the end of its subtree there, and the nodes by class."""

    def __init__(self, tree: exp.Expr):
        order = list(tree.dfs())
        self.place = {id(node): place for place, node in enumerate(order)}
        sizes = dict.fromkeys(self.place, 1)
        for node in reversed(order):  # a subtree's size, children before parents
            if node is not tree:
                sizes[id(node.parent)] += sizes[id(node)]
        self.end = {key: self.place[key] + size for key, size in sizes.items()}
        self.by_class: dict[type, list[exp.Expr]] = {}
        for node in order:
            self.by_class.setdefault(type(node), []).append(node)
        self._matching: dict[tuple[type, ...], list[exp.Expr]] = {}

    def holds(self, classes: tuple[type, ...]) -> bool:
        """Whether the tree holds an instance of each of `classes`."""
        return all(self.of((kind,)) for kind in classes)

    def of(self, classes: tuple[type, ...]) -> list[exp.Expr]:
        """The nodes that are instances of `classes`, in walk order."""
        if classes not in self._matching:
            kinds = [kind for kind in self.by_class if issubclass(kind, classes)]
            if len(kinds) == 1:
                nodes = self.by_class[kinds[0]]
            else:
                nodes = sorted(
                    (node for kind in kinds for node in self.by_class[kind]),
                    key=lambda node: self.place[id(node)],
                )
            self._matching[classes] = nodes
        return self._matching[classes]


def _attached(node: exp.Expr, root: exp.Expr) -> bool:
    """Whether `node` is still in the tree under `root` (a transform may have changed an
    ancestor in place)."""
    while node is not root:
        parent = node.parent
        if parent is None:
            return False
        held = parent.args.get(node.arg_key)
        if held is not node and not (
            isinstance(held, list)
            and node.index is not None
            and node.index < len(held)
            and held[node.index] is node
        ):
            return False
        node = parent
    return True


def apply(tree: exp.Expr, steps: list[tuple[Step, Callable]]) -> exp.Expr:
    """`tree` after every step's function, as fakesnow's chain of
    `tree.transform(function, copy=False)` leaves it."""
    index = _Index(tree)
    for step, function in steps:
        nodes = index.of(step.classes)
        if not nodes or (step.requires and not index.holds(step.requires)):
            continue
        skip_until = -1  # the end of the last subtree this step replaced, as indexed
        changed = False
        for node in nodes:
            place = index.place[id(node)]
            if place < skip_until or (step.in_place and changed and not _attached(node, tree)):
                continue  # fakesnow's walk does not reach it
            parent, arg_key, position = node.parent, node.arg_key, node.index
            new = function(node)
            if new is node:
                changed = changed or step.in_place
                continue
            # Nothing that was under the node is visited, wherever the new node put it.
            changed, skip_until = True, max(skip_until, index.end[id(node)])
            if node is tree:
                tree = new
            elif parent is not None and arg_key:
                parent.set(arg_key, new, position)
        if changed:
            index = _Index(tree)
    return tree


def _bound(function: Callable, arguments, cursor, params) -> Callable:
    if arguments is None:
        return function
    args, kwargs = arguments(cursor, params)
    return lambda node: function(node, *args, **kwargs)


def transform(cursor, expression: exp.Expr, params) -> exp.Expr:
    """What fakesnow's `cursor._transform(expression, params)` returns, by `apply`."""
    import fakesnow.transforms

    steps = [
        (step, _bound(getattr(fakesnow.transforms, step.name), step.arguments, cursor, params))
        for step in STEPS
    ]
    return apply(expression, steps)


def matches_fakesnow() -> bool:
    """Whether `transform` may stand in for fakesnow's: the fakesnow whose transforms
    `STEPS` was read from, applying them in that order (read from its source)."""
    import importlib.metadata

    import fakesnow.cursor

    if importlib.metadata.version("fakesnow") != FAKESNOW_VERSION:
        return False
    source = inspect.getsource(fakesnow.cursor.FakeSnowflakeCursor._transform)
    return re.findall(r"transforms\.(\w+)", source) == [step.name for step in STEPS]
