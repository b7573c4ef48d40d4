"""The celery app that `yusuan worker` serves: dagster-celery's step task, with the
broker and result backend from the same settings as the executor (YUSUAN_CELERY_*).

A worker needs the project installed, DAGSTER_HOME pointing at the instance the
runs are recorded in, and the same YUSUAN_RAW_DIR / YUSUAN_EXTRACT_DIR as the
code location (a shared path or object storage when workers are on other machines).
"""

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pipelines.settings import Settings

# Loading this module is the worker's start-up: the settings are read here, once.
_settings = Settings.from_env()
app = make_app(CeleryExecutor.for_cli(broker=_settings.celery_broker, backend=_settings.celery_backend).app_args())
execute_plan = create_task(app)
