"""GET /programmes/{name}/evaluation: did a place-based programme's areas do better than
comparable places? (method: queries.evaluation, geo.evaluation)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.deps import ServicesDep, answer, answer_in
from api.models import Evaluation, with_formats
from api.params import ChartFormat, IndicatorQuery
from depmap.core.names import programme_slug
from depmap.core.replicas import snapshot_version
from depmap.core.vocab import in_catalogue_order
from queries.evaluation import (
    DEFAULT_K,
    DEFAULT_REPLICATES,
    DEFAULT_SEED,
    EVALUATION_CSV_COLUMNS,
    evaluation_rows,
    programme_evaluation,
)
from web.charts import render

router = APIRouter(tags=["programmes"])

CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@router.get(
    "/programmes/{name}/evaluation",
    summary="A fair evaluation of a programme: its change against baseline-matched "
    "neighbourhoods, England and 25 similar local authorities, with intervals",
    response_model=Evaluation,
    responses={
        **with_formats(Evaluation),
        200: {
            "model": Evaluation,
            "content": {
                "application/json": {},
                "text/csv": {"schema": {"type": "string"}},
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
)
async def get_evaluation(
    request: Request,
    name: Annotated[
        str,
        Path(
            description="Programme name as loaded or its slug",
            min_length=1,
            max_length=200,
        ),
    ],
    indicator: IndicatorQuery = None,
    k: Annotated[int, Query(ge=1, le=20, description="Matches per programme LSOA")] = DEFAULT_K,
    replicates: Annotated[
        int, Query(ge=0, le=9999, description="Bootstrap replicates (0: no interval)")
    ] = DEFAULT_REPLICATES,
    seed: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Seed of the bootstrap")
    ] = DEFAULT_SEED,
    format: Annotated[
        ChartFormat, Query(description="json, csv, or a chart: svg or png")
    ] = ChartFormat("json"),
    *,
    svc: ServicesDep,
) -> Response:
    """Per indicator (default: every series): the programme group's baseline, follow-up and
    change (its LSOAs weighted by the areas' shares); England's; the matched comparators'
    (the k most similar LSOAs outside the programme and not adjacent to it, matched on the
    baseline, with a balance table of standardised mean differences); the published crude
    comparison (the 25 local authorities nearest in average IMD 2015 score); and the
    differences in differences, that against matched comparators with a 95% cluster-
    bootstrap interval. `regression_to_the_mean` says why matching on the baseline
    matters. A programme with no LSOA in a series, or too few eligible comparators, is
    answered 422 saying why."""
    codes = in_catalogue_order(i.value for i in indicator or ())
    key = ("evaluation", name, codes, k, replicates, seed)

    async def compute(conn: Any) -> Any:
        data = await programme_evaluation(
            conn,
            name,
            codes,
            k=k,
            replicates=replicates,
            seed=seed,
            cache=svc.series_cache,
            version=snapshot_version(conn),
        )
        if format == "csv":
            data["rows"] = evaluation_rows(data)
        return data

    fmt = format.value
    filename = f"{programme_slug(name) or 'programme'}-evaluation"
    if fmt in CHART_TYPES:
        return await answer(
            request,
            (*key, fmt),
            compute,
            media_type=CHART_TYPES[fmt],
            render=lambda d: render(d, fmt),  # type: ignore[arg-type]
        )
    return await answer_in(
        request,
        key,
        compute,
        fmt,
        rows="rows",
        columns=EVALUATION_CSV_COLUMNS,
        filename=filename,
    )
