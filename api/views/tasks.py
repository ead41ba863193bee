from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.tasks import CompleteTaskSchema, CompletionSchema, TaskDetailSchema, TaskQuerySchema, TaskSchema
from api.security import current_principal, signed_in
from workflows import tasks

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks",
                description="Human tasks: the inbox of the caller's roles")


@blp.route("")
class Tasks(MethodView):
    @signed_in
    @blp.arguments(TaskQuerySchema(), location="query")  # an instance: not built per request
    @blp.response(200, TaskSchema(many=True))
    def get(self, query):
        """Tasks the caller's roles may work (open ones unless `state` is given)"""
        with transaction() as session:
            return tasks.list_tasks(session, current_principal(), **query)


@blp.route("/<string:task_id>")
class TaskById(MethodView):
    @signed_in
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id):
        """One task, with the form its completion data must fit"""
        with transaction() as session:
            return tasks.get_task(session, current_principal(), task_id)


@blp.route("/<string:task_id>/claim")
class ClaimTask(MethodView):
    @signed_in
    @blp.response(200, TaskSchema)
    def post(self, task_id):
        """Take a ready task: only you can complete it until you release it"""
        with transaction() as session:
            return tasks.claim_task(session, current_principal(), task_id)


@blp.route("/<string:task_id>/unclaim")
class UnclaimTask(MethodView):
    @signed_in
    @blp.response(200, TaskSchema)
    def post(self, task_id):
        """Release a claimed task (the claimer, or a leader reassigning it)"""
        with transaction() as session:
            return tasks.unclaim_task(session, current_principal(), task_id)


@blp.route("/<string:task_id>/complete")
class CompleteTask(MethodView):
    @signed_in
    @blp.arguments(CompleteTaskSchema())
    @blp.response(200, CompletionSchema)
    def post(self, body, task_id):
        """Complete a task with its data; returns the dossier's next ready tasks"""
        with transaction() as session:
            return tasks.complete_task(session, current_principal(), task_id, body["data"])
