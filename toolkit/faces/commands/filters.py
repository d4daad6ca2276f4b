"""`hardneg filter` (offline rules, optional LLM judge) and `hardneg audit` (text-only bias audit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _selection(engine, run_id: str | None, set_name: str | None, ids_file: Path | None):
    from toolkit.evaluation.filters.select import Selection, set_candidate_ids

    ids: tuple[int, ...] | None = None
    if set_name:
        with engine.connect() as conn:
            try:
                ids = set_candidate_ids(conn, set_name)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--set") from exc
    if ids_file:
        from toolkit.faces.commands.options import resolve_id_file

        with engine.connect() as conn:
            read = resolve_id_file(conn, ids_file)
        ids = read if ids is None else tuple(sorted(set(ids) & set(read)))
    return Selection(run_id=run_id, ids=ids, set_name=set_name)


def _count(engine, selection) -> int:
    from toolkit.evaluation.filters.select import iter_selected

    with engine.connect() as conn:
        return sum(1 for _ in iter_selected(conn, selection))


def _print_report(d: dict) -> None:
    click.echo(f"{d['judge']}: {d['selected']} selected, {d['already_judged']} already judged, {d['judged']} judged now "
               f"({d['passed']} passed, {d['rejected']} rejected), {d['failed']} failed — run {d['filter_run_id']}, "
               f"status {d['status']}")
    for rule, n in list(d["fired"].items())[:10]:
        click.echo(f"  {n:6d}  {rule}")
    if "requests" in d:
        cost = f", cost {d['cost']}" if d.get("cost") is not None else ""
        click.echo(f"  requests {d['requests']}, cache hits {d['cache_hits']}, tokens in {d['input_tokens']} / out "
                   f"{d['output_tokens']}{cost}" + (f"; stopped: {d['stopped']}" if d.get("stopped") else ""))


def register(main: click.Group) -> None:
    """Add `filter` and `audit` to the `hardneg` group."""
    from toolkit.faces.commands.options import db_option, json_option
    from toolkit.faces.commands.options import open_engine as _engine

    @main.command("filter")
    @click.option("--rules/--no-rules", "use_rules", default=None, help="Offline rule filter (default when --llm is absent).")
    @click.option("--llm", "use_llm", is_flag=True, help="LLM judge; with --rules it judges only what the rules passed.")
    @click.option("--run", "run_id", default=None, help="Only this generation run's candidates.")
    @click.option("--set", "set_name", default=None, help="Only this benchmark set's candidates.")
    @click.option("--ids", "ids_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                  help="Only the candidates in this file, one per line: the \"id\" `hardneg export` prints (its JSONL "
                       "works as it is) or a row id.")
    @click.option("--threshold", type=float, default=-3.0, show_default=True,
                  help="Rules: plausibility log ratio below which a new composition is implausible.")
    @click.option("--model", envvar="HARDNEG_JUDGE_MODEL", default=None, help="LLM model name ($HARDNEG_JUDGE_MODEL).")
    @click.option("--base-url", envvar="HARDNEG_JUDGE_BASE_URL", default=None,
                  help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 ($HARDNEG_JUDGE_BASE_URL; default OpenAI).")
    @click.option("--temperature", envvar="HARDNEG_JUDGE_TEMPERATURE", type=float, default=0.0, show_default=True)
    @click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True,
                  help="Environment variable holding the API key (the key itself is never a flag).")
    @click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
    @click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
    @click.option("--max-retries", type=click.IntRange(0, 20), default=4, show_default=True)
    @click.option("--method", type=click.Choice(["auto", "json_schema", "function_calling"]), default="auto",
                  show_default=True, help="Structured output method (auto falls back to function calling).")
    @click.option("--max-requests", type=click.IntRange(1), default=None, help="Budget: requests in this run.")
    @click.option("--max-tokens", type=click.IntRange(1), default=None, help="Budget: input+output tokens.")
    @click.option("--max-cost", type=float, default=None, help="Budget: cost (needs --prices).")
    @click.option("--prices", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                  help="JSON/TOML price table {model: {input, output}} per million tokens.")
    @click.option("--prompt", default=None, help="Prompt file (default prompts/judge.v1.md).")
    @click.option("--force", is_flag=True, help="LLM: judge again candidates that have a verdict (the cache still answers).")
    @db_option
    @json_option
    def filter_cmd(use_rules, use_llm, run_id, set_name, ids_file, threshold, model, base_url, temperature, api_key_env,
                   concurrency, timeout, max_retries, method, max_requests, max_tokens, max_cost, prices, prompt, force,
                   db, as_json) -> None:
        """Judge candidates: offline rules (grammar, validity, corpus plausibility) and/or an LLM judge.

        \b
        Example:
          hardneg filter --rules --run 3f2a9c1d
          hardneg filter --rules --ids picked.jsonl   # lines of `hardneg export` output, or one id a line
          OPENAI_API_KEY=... hardneg filter --llm --model gpt-4o-mini --concurrency 16 --max-requests 2000
          hardneg filter --rules --llm --model qwen2.5 --base-url http://localhost:8000/v1
        """
        from toolkit.evaluation.filters.llm import JudgeConfig, JudgeConfigError, load_prices
        from toolkit.evaluation.filters.llm_run import run_llm
        from toolkit.evaluation.filters.rules import RuleConfig
        from toolkit.evaluation.filters.runner import run_rules
        from toolkit.evaluation.filters.select import Selection
        from toolkit.evaluation.filters.store import latest_verdicts

        use_rules = (not use_llm) if use_rules is None else use_rules
        if not (use_rules or use_llm):
            raise click.UsageError("nothing to do: give --rules and/or --llm")
        config = None
        if use_llm:
            if not model:
                raise click.UsageError("--llm needs --model (or $HARDNEG_JUDGE_MODEL)")
            try:
                price_in, price_out = load_prices(prices, model) if prices else (None, None)
                config = JudgeConfig(model=model, base_url=base_url, temperature=temperature, concurrency=concurrency,
                                     timeout=timeout, max_retries=max_retries, method=method, api_key_env=api_key_env,
                                     max_requests=max_requests, max_tokens=max_tokens, max_cost=max_cost,
                                     price_in=price_in, price_out=price_out, prompt=prompt)
            except JudgeConfigError as exc:
                raise click.UsageError(str(exc)) from exc
        engine = _engine(db)
        selection = _selection(engine, run_id, set_name, ids_file)
        reports = []
        if use_rules:
            total = _count(engine, selection)
            with click.progressbar(length=total, label="rules", file=sys.stderr) as bar:
                reports.append(run_rules(engine, selection, RuleConfig(plausibility_threshold=threshold),
                                         progress=bar.update).to_dict())
        if config is not None:
            if use_rules:  # the LLM sees only what the rules passed
                with engine.connect() as conn:
                    passed = latest_verdicts(conn, "rules", selection.ids)
                selection = Selection(run_id, tuple(sorted(k for k, v in passed.items() if v["passed"])), set_name)
            total = _count(engine, selection)
            try:
                with click.progressbar(length=total, label=config.judge, file=sys.stderr) as bar:
                    reports.append(run_llm(engine, config, selection, force=force, progress=bar.update).to_dict())
            except (JudgeConfigError, FileNotFoundError, ValueError) as exc:
                raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps(reports if len(reports) > 1 else reports[0], indent=2))
        else:
            for d in reports:
                _print_report(d)

    @main.command()
    @click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
    @click.option("--run", "run_id", default=None, help="Stored candidates of this generation run.")
    @click.option("--set", "set_name", default=None, help="Stored candidates of this benchmark set.")
    @click.option("--passed", "only_passed", default=None, metavar="JUDGE",
                  help="Only candidates whose latest verdict of JUDGE (rules, llm:<model>) passed.")
    @click.option("--balance", is_flag=True, help="Subsample so the baselines sit near chance; report before/after.")
    @click.option("--tolerance", type=click.FloatRange(0, 0.5), default=0.05, show_default=True)
    @click.option("--min-keep", type=click.FloatRange(0, 1), default=0.2, show_default=True,
                  help="Keep at least this fraction of each operator's items.")
    @click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-fitting folds.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="With --balance: write the kept pairs as JSONL.")
    @db_option
    @json_option
    def audit(path, run_id, set_name, only_passed, balance, tolerance, min_keep, folds, out, db, as_json) -> None:
        """How often text-only baselines (length, n-gram LM, plausibility, a learned n-gram adversary)
        prefer the positive, per operator, and the n-grams that give a negative away.

        PATH is an imported benchmark (SugarCrepe folder or pairs JSONL); without it the stored candidates
        are audited. ADD negatives with the caption's word count are their own category ("length-neutral").
        With --balance the adversary is fitted again on the kept items and its figure is that re-fit's.

        \b
        Example:
          hardneg audit --run 3f2a9c1d --balance --out balanced.jsonl
          hardneg audit ../shared/benchmarks/sugarcrepe-dev --json
        """
        from toolkit.evaluation.filters.audit import AuditConfig, audit_candidates, audit_pairs, write_kept
        from toolkit.store.db import resolve_url

        config = AuditConfig(folds=folds, balance=balance, tolerance=tolerance, min_keep=min_keep)
        if path is not None:
            url = resolve_url(db)
            has_db = "://" in (db or "") or Path(url.removeprefix("sqlite:///")).exists()
            try:
                report = audit_pairs(path, config, engine=_engine(db) if has_db else None)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        else:
            engine = _engine(db)
            report = audit_candidates(engine, _selection(engine, run_id, set_name, None), config, only_passed=only_passed)
        if out is not None:
            if not balance:
                raise click.UsageError("--out needs --balance")
            click.echo(f"wrote {write_kept(report, out)} kept pairs to {out}", err=True)
        report.pop("kept", None)
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        _print_audit(report)


def _print_audit(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    bases = r["baselines"]
    table = Table(title=f"text-only baselines: how often they prefer the positive ({r['n']} pairs)")
    table.add_column("operator")
    table.add_column("n", justify="right")
    for b in bases:
        table.add_column(b, justify="right")
    after = (r.get("balanced") or {}).get("by_operator", {})
    for op, v in r["by_operator"].items():
        cells = [f"{v[b]:.3f}" + (f" → {after[op][b]:.3f}" if op in after else "") for b in bases]
        n = f"{v['n']}" + (f" → {after[op]['n']}" if op in after else "")
        table.add_row(op, n, *cells)
    o = r["overall"]
    ob = (r.get("balanced") or {}).get("overall")
    table.add_row("all", f"{r['n']}" + (f" → {r['balanced']['n']}" if ob else ""),
                  *[f"{o[b]:.3f}" + (f" → {ob[b]:.3f}" if ob else "") for b in bases])
    Console().print(table)
    for op, v in after.items():
        if v.get("unbalanceable"):
            click.echo(f"{op}: cannot be balanced by subsampling: {', '.join(v['unbalanceable'])}")
    _print_telling(r.get("telling") or {}, "most telling n-grams (adversary weights)")
    _print_telling((r.get("balanced") or {}).get("telling") or {}, "after balancing, re-fitted on the kept pairs")
    for op, note in (r.get("adversary_notes") or {}).items():
        click.echo(f"{op}: {note}", err=True)
    if r.get("skipped"):
        click.echo(f"skipped {len(r['skipped'])} bad records, e.g. {r['skipped'][0]}", err=True)


def _print_telling(telling: dict, title: str) -> None:
    """Per category, the n-grams whose presence most gives a text away as the negative / the caption."""
    if not telling:
        return
    click.echo(f"{title}:")
    for op, t in telling.items():
        neg = ", ".join(f"{g!r} {w:+.2f}" for g, w in t["negative"]) or "-"
        pos = ", ".join(f"{g!r} {w:+.2f}" for g, w in t["positive"]) or "-"
        click.echo(f"  {op}\n    negative: {neg}\n    positive: {pos}")
