#!/usr/bin/env python3
"""Optuna TPE behind protein-sweep's external-optimizer protocol (JSON lines).

Lets the quality runner compare protein-sweep with Optuna's TPE sampler, the
optimizer users would otherwise reach for. Run by hand, never by CI or vitest.

Requires Debian's python3-optuna (apt-get install -y python3-optuna; tested with
3.1.0) and runs with the system interpreter:

    /usr/bin/python3 tools/optuna_adapter.py

Protocol: one JSON object per input line, one JSON reply line per request (flushed).

    {"op":"init","config":{"sweep":{...}},"seed":n}          -> {"ok":true}
    {"op":"suggest"}                                           -> {"params":{...}}
    {"op":"observe","params":{...},"score":x,"cost":c}         -> {"ok":true}
    anything wrong                                             -> {"error":"..."}

The config is a sweep in the Metta/Protein object format (`{"sweep": {"goal",
"parameters": {...}}}`, or the inner object itself). Parameters may be nested
blocks or dotted keys; suggestions come back nested the same way. Optional
`"tpe": {...}` in the init message is passed to TPESampler as keyword arguments.

Distribution mapping (Optuna samples the internal value, the reply carries the
user value):
    uniform       FloatDistribution(min, max)
    int_uniform   IntDistribution(ceil(min), floor(max))
    log_normal    FloatDistribution(min, max, log=True)
    uniform_pow2  IntDistribution over the exponent k, value = 2**k
    logit_normal  FloatDistribution(1 - max, 1 - min, log=True) over z = 1 - v, value = 1 - z
    values: [...] CategoricalDistribution(values)

An observation is matched to a pending suggestion with the same params (floats
equal to a relative 1e-9) and told to it; an observation that matches none is
added as a completed trial. A null, NaN or infinite score records a failed trial.
The cost is kept as the trial's user attribute "cost"; TPE does not use it.

Example (one suggest/observe round trip):

    printf '%s\n' \
      '{"op":"init","config":{"sweep":{"goal":"maximize","parameters":{"x":{"distribution":"uniform","min":0,"max":1}}}},"seed":1}' \
      '{"op":"suggest"}' \
      | /usr/bin/python3 tools/optuna_adapter.py
"""

import json
import math
import sys

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState


class AdapterError(Exception):
    """A request the adapter cannot serve; its message goes back as {"error": ...}."""


class Param:
    """One sweep parameter: its path in the config and the map to Optuna's space."""

    def __init__(self, path, spec):
        self.path = path  # list of keys as written in the config
        self.key = ".".join(path)  # full dotted key, also the Optuna parameter name
        if not isinstance(spec, dict):
            raise AdapterError(f"parameter {self.key}: spec must be an object")
        if "values" in spec:
            values = spec["values"]
            if not isinstance(values, list) or not values:
                raise AdapterError(f"parameter {self.key}: values must be a non-empty list")
            for v in values:
                if v is not None and not isinstance(v, (bool, int, float, str)):
                    raise AdapterError(f"parameter {self.key}: categorical values must be strings, numbers, booleans or null")
            self.kind = "categorical"
            self.values = values
            self.distribution = CategoricalDistribution(values)
            return
        kind = spec.get("distribution")
        try:
            lo = float(spec["min"])
            hi = float(spec["max"])
        except (KeyError, TypeError, ValueError):
            raise AdapterError(f"parameter {self.key}: min and max must be numbers") from None
        if not lo < hi:
            raise AdapterError(f"parameter {self.key}: min < max must hold, got min={lo}, max={hi}")
        self.kind = kind
        self.lo, self.hi = lo, hi
        if kind == "uniform":
            self.distribution = FloatDistribution(lo, hi)
        elif kind == "int_uniform":
            self.distribution = IntDistribution(math.ceil(lo), math.floor(hi))
        elif kind == "log_normal":
            if lo <= 0:
                raise AdapterError(f"parameter {self.key}: log_normal needs min > 0, got {lo}")
            self.distribution = FloatDistribution(lo, hi, log=True)
        elif kind == "uniform_pow2":
            if lo <= 0:
                raise AdapterError(f"parameter {self.key}: uniform_pow2 needs min > 0, got {lo}")
            self.distribution = IntDistribution(math.ceil(math.log2(lo) - 1e-9), math.floor(math.log2(hi) + 1e-9))
        elif kind == "logit_normal":
            if not 0 < lo < hi < 1:
                raise AdapterError(f"parameter {self.key}: logit_normal needs 0 < min < max < 1")
            self.distribution = FloatDistribution(1 - hi, 1 - lo, log=True)
        else:
            raise AdapterError(
                f"parameter {self.key}: unknown distribution {kind!r}; allowed: uniform, int_uniform, "
                "log_normal, uniform_pow2, logit_normal, or values: [...]"
            )

    def to_user(self, internal):
        """Optuna's sampled value -> the value the config's user sees."""
        if self.kind == "uniform_pow2":
            return 2 ** int(internal)
        if self.kind == "logit_normal":
            return 1.0 - internal
        if self.kind == "int_uniform":
            return int(internal)
        return internal

    def to_internal(self, value):
        """A user value (from an observation) -> Optuna's value, checked against the range."""
        if self.kind == "categorical":
            if value not in self.values:
                raise AdapterError(f"parameter {self.key}: {value!r} is not one of {self.values}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise AdapterError(f"parameter {self.key}: expected a finite number, got {value!r}")
        if self.kind == "uniform_pow2":
            internal = int(round(math.log2(value))) if value > 0 else None
        elif self.kind == "logit_normal":
            internal = 1.0 - value
        elif self.kind == "int_uniform":
            internal = int(round(value))
        else:
            internal = float(value)
        d = self.distribution
        if internal is None or not d.low <= internal <= d.high:
            raise AdapterError(f"parameter {self.key}: {value!r} is outside [{self.lo}, {self.hi}]")
        return internal

    def same(self, a, b):
        """Whether two user values are the same suggestion."""
        if self.kind == "categorical":
            return a == b
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def collect_params(node, prefix, out):
    """Walks `parameters`, collecting leaves (objects with distribution or values)."""
    if not isinstance(node, dict):
        raise AdapterError(f"parameters{'.' + '.'.join(prefix) if prefix else ''}: expected an object")
    for name, child in node.items():
        path = prefix + [name]
        if isinstance(child, dict) and ("distribution" in child or "values" in child):
            out.append(Param(path, child))
        else:
            collect_params(child, path, out)


def read_value(params, param):
    """Reads a parameter from user params written nested, dotted, or mixed."""
    node = params
    for part in param.path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            break
    else:
        return node
    # Fall back to a lookup by the full dotted key, splitting at any dot.
    def lookup(obj, key):
        if not isinstance(obj, dict):
            return None
        if key in obj:
            return obj[key]
        parts = key.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:cut])
            if head in obj:
                found = lookup(obj[head], ".".join(parts[cut:]))
                if found is not None:
                    return found
        return None

    value = lookup(params, param.key)
    if value is None:
        raise AdapterError(f"observe: params lack {param.key}")
    return value


def set_nested(root, path, value):
    node = root
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


class Adapter:
    def __init__(self):
        self.study = None
        self.params = []
        self.pending = []  # [(optuna Trial, {key: user value})], oldest first

    def init(self, message):
        config = message.get("config")
        if not isinstance(config, dict):
            raise AdapterError("init: config must be an object")
        sweep = config.get("sweep", config)
        if not isinstance(sweep, dict) or "parameters" not in sweep:
            raise AdapterError("init: config.sweep.parameters is missing")
        params = []
        collect_params(sweep["parameters"], [], params)
        if not params:
            raise AdapterError("init: the config has no parameters")
        keys = [p.key for p in params]
        if len(set(keys)) != len(keys):
            raise AdapterError("init: two parameters flatten to the same dotted key")
        goal = sweep.get("goal", "maximize")
        if goal not in ("maximize", "minimize"):
            raise AdapterError(f"init: goal must be maximize or minimize, got {goal!r}")
        seed = message.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise AdapterError(f"init: seed must be an integer, got {seed!r}")
        options = message.get("tpe", {})
        if not isinstance(options, dict):
            raise AdapterError("init: tpe must be an object of TPESampler keyword arguments")
        sampler = optuna.samplers.TPESampler(seed=seed, **options)
        self.study = optuna.create_study(direction=goal, sampler=sampler)
        self.params = params
        self.pending = []
        return {"ok": True}

    def require_study(self, op):
        if self.study is None:
            raise AdapterError(f"{op}: send init first")

    def suggest(self, message):
        self.require_study("suggest")
        trial = self.study.ask({p.key: p.distribution for p in self.params})
        user = {p.key: p.to_user(trial.params[p.key]) for p in self.params}
        self.pending.append((trial, user))
        nested = {}
        for p in self.params:
            set_nested(nested, p.path, user[p.key])
        return {"params": nested}

    def observe(self, message):
        self.require_study("observe")
        params = message.get("params")
        if not isinstance(params, dict):
            raise AdapterError("observe: params must be an object")
        user = {p.key: read_value(params, p) for p in self.params}
        score = message.get("score")
        cost = message.get("cost")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise AdapterError(f"observe: score must be a number or null, got {score!r}")
        failed = score is None or not math.isfinite(score)
        for index, (trial, suggested) in enumerate(self.pending):
            if all(p.same(user[p.key], suggested[p.key]) for p in self.params):
                del self.pending[index]
                if cost is not None:
                    trial.set_user_attr("cost", cost)
                if failed:
                    self.study.tell(trial, state=TrialState.FAIL)
                else:
                    self.study.tell(trial, float(score))
                return {"ok": True}
        internal = {p.key: p.to_internal(user[p.key]) for p in self.params}
        self.study.add_trial(
            optuna.trial.create_trial(
                params=internal,
                distributions={p.key: p.distribution for p in self.params},
                value=None if failed else float(score),
                state=TrialState.FAIL if failed else TrialState.COMPLETE,
                user_attrs={} if cost is None else {"cost": cost},
            )
        )
        return {"ok": True}


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    adapter = Adapter()
    handlers = {"init": adapter.init, "suggest": adapter.suggest, "observe": adapter.observe}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise AdapterError("each line must be a JSON object")
            op = message.get("op")
            if op not in handlers:
                raise AdapterError(f"unknown op {op!r}; allowed: init, suggest, observe")
            reply = handlers[op](message)
        except AdapterError as error:
            reply = {"error": str(error)}
        except json.JSONDecodeError as error:
            reply = {"error": f"invalid JSON: {error}"}
        except Exception as error:  # report, keep serving
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
