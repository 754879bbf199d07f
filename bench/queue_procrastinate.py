"""The procrastinate side of bench/queue.py, run by the throwaway virtualenv's Python (never
imported by backoffice): defer N jobs, then W worker processes fetch + finish them one at a
time through procrastinate's own JobManager (what its worker does per job). Prints JSON."""

import sys

# bench/ holds queue.py, which would shadow the standard library's queue: drop this folder.
sys.path.pop(0)

import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import time  # noqa: E402


async def _defer(dsn: str, n: int) -> None:
    from procrastinate import App, PsycopgConnector, jobs

    app = App(connector=PsycopgConnector(conninfo=dsn))
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        for offset in range(0, n, 1000):
            batch = [jobs.Job(queue="default", task_name="bench", lock=None, queueing_lock=None,
                              task_kwargs={"file": f"doc-{i}.pdf"}) for i in range(offset, min(n, offset + 1000))]
            await app.job_manager.batch_defer_jobs_async(batch)


async def _work(dsn: str, start, results) -> None:
    from procrastinate import App, PsycopgConnector, jobs

    app = App(connector=PsycopgConnector(conninfo=dsn, min_size=1, max_size=1))
    async with app.open_async():
        worker_id = await app.job_manager.register_worker()
        start.wait()
        began, done = time.perf_counter(), []
        while (job := await app.job_manager.fetch_job(queues=None, worker_id=worker_id)) is not None:
            await app.job_manager.finish_job(job, status=jobs.Status.SUCCEEDED, delete_job=False)
            done.append(job.id)
        ended = time.perf_counter()
        await app.job_manager.unregister_worker(worker_id)
    results.put((done, began, ended))


def _worker(dsn: str, start, results) -> None:
    asyncio.run(_work(dsn, start, results))


def main() -> None:
    dsn, n, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    asyncio.run(_defer(dsn, n))
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(workers), context.Queue()
    procs = [context.Process(target=_worker, args=(dsn, start, results)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    outcomes = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    ids = [i for done, _, _ in outcomes for i in done]
    elapsed = max(e for _, _, e in outcomes) - min(b for _, b, _ in outcomes)
    print(json.dumps({"done": len(ids), "distinct": len(set(ids)), "rate": len(ids) / elapsed}))


if __name__ == "__main__":
    main()
