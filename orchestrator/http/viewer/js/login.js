// The login form, shown when the server wants its token and this browser has no session.
// The token is posted once; the page keeps nothing (the session is an HttpOnly cookie).

import * as api from "./api.js";

export function askForToken() {
  const overlay = document.getElementById("login");
  const form = document.getElementById("login-form");
  const input = document.getElementById("login-token");
  const error = document.getElementById("login-error");
  overlay.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.onsubmit = async (event) => {
      event.preventDefault();
      error.hidden = true;
      try {
        await api.login(input.value);
      } catch (err) {
        error.textContent = err.status === 401 ? "Wrong token." : `Login failed: ${err.message}`;
        error.hidden = false;
        input.select();
        return;
      }
      input.value = "";
      overlay.hidden = true;
      form.onsubmit = null;
      resolve();
    };
  });
}
