"""The session flow of flow.yaml for Locust FastHttpUser, without think time.

Each user logs in once (on_start), then loops: POST /chat/sessions ->
POST /chat/sessions/{id}/messages, as ../shared/bench/locust_sessions.py does
but with wait_time = constant(0), so both tools run as fast as one core lets them.
"""
from locust import FastHttpUser, SequentialTaskSet, constant, task

QUESTION = {"question": "What is the capital of France?"}


class Conversation(SequentialTaskSet):
    @task
    def create_session(self):
        r = self.client.post("/chat/sessions", json={}, headers=self.user.auth)
        self.session_id = r.json()["session_id"]

    @task
    def ask(self):
        r = self.client.post(f"/chat/sessions/{self.session_id}/messages", json=QUESTION,
                             headers=self.user.auth, name="/chat/sessions/[id]/messages")
        r.json()["usage"]


class SessionFastHttpUser(FastHttpUser):
    wait_time = constant(0)
    tasks = [Conversation]

    def on_start(self):
        r = self.client.post("/auth/login", json={"user": "bench", "password": "bench"})
        self.auth = {"Authorization": "Bearer " + r.json()["token"]}
