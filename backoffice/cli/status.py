"""``backoffice status``: the runners, the schedule leader, each bot's runs and the queue depth."""

from __future__ import annotations

from backoffice.commandline import ERR_LINE, JsonOption, deployment, emit_json, open_queue, out


def status(as_json: JsonOption = False) -> None:
    """Show the runners sharing the queue, the schedule leader, each bot's last and next run
    (and why it did not run), and the queue depth by status."""
    from backoffice.bots.status import status_report

    config = deployment(check_paths=False)
    store = open_queue(config, existing=True)
    try:
        report = status_report(config, store)
    finally:
        store.close()
    if as_json:
        emit_json(report)
        return
    leader = report["leader"]
    out.print(f"leader: {leader['runner'] + ' since ' + leader['since'] if leader else '[yellow]none[/]'}")
    for runner in report["runners"]:
        doing = f"item {runner['item']}" if runner["item"] else "idle"
        out.print(
            f"runner {runner['name']} ({runner['host']}, pid {runner['pid']}): {runner['state']}, {doing}, "
            f"seen {runner['seen']}"
        )
    for bot in report["bots"]:
        if not bot["enabled"]:
            out.print(f"bot {bot['bot']}: disabled")
            continue
        last = bot["last_run"]
        last_text = f"{last['started']} {last['outcome']}" if last else "never"
        out.print(
            f"bot {bot['bot']} ({bot['schedule']}, {bot['timezone']}): last run {last_text}, "
            f"next run {bot['next_run']}",
            **ERR_LINE,
        )
        if bot.get("source_down"):
            out.print(f"  source down since {bot['source_down']['since']}: {bot['source_down']['reason']}", **ERR_LINE)
        for reason in bot["not_run"]:
            out.print(f"  not run: {reason}", **ERR_LINE)
    for bot, counts in sorted(report["queue"].items()):
        out.print(f"queue {bot}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
