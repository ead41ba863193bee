// Sign in: POST /auth/login, keep the token, go where the reader was going.
import { api, busy, setToken } from "./common.js";

const form = document.getElementById("login-form");

function target() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return next.startsWith("/app/") && !next.startsWith("//") ? next : "/app/inbox";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await busy(document.getElementById("login-submit"), document.getElementById("login-error"), async () => {
    const body = await api("POST", "/auth/login", { username: form.username.value.trim(), password: form.password.value });
    setToken(body.access_token);
    location.assign(target());
  });
});
