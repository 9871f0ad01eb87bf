// The owner's dialogs on a playlist page: its details (name, description, public, collaborative)
// and inviting a collaborator.
import { h, openDialog } from "./dom";
import { libraryApi } from "./library-api";
import { displayName, parseUserRef } from "./people";
import { playlistApi, type Details, type Playlist } from "./playlist-api";

function field(label: string, control: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), control);
}

function checkbox(label: string, testid: string, checked: boolean): [HTMLElement, HTMLInputElement] {
  const box = h("input", { type: "checkbox", "data-testid": testid, checked });
  return [h("label", { class: "check" }, box, h("span", {}, label)), box];
}

/** Edit the details; resolves after a save (true) or when closed without one (false). */
export function editDetails(playlist: Playlist): Promise<boolean> {
  const name = h("input", { type: "text", value: playlist.name, maxlength: 200, required: true, "data-testid": "details-name" });
  const description = h("textarea", { maxlength: 300, rows: 3, "data-testid": "details-description" }, playlist.description);
  const [publicRow, isPublic] = checkbox("Public: shown on my profile and in search", "details-public", playlist.public);
  const [collabRow, isCollaborative] = checkbox("Collaborative: people I invite can change it", "details-collaborative", playlist.collaborative);
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "details-error" });
  // As on Spotify, a collaborative playlist is never public.
  const follow = (): void => {
    if (isCollaborative.checked) isPublic.checked = false;
    isPublic.disabled = isCollaborative.checked;
  };
  isCollaborative.addEventListener("change", follow);
  follow();
  const save = h("button", { class: "pill primary", type: "submit", "data-testid": "details-save" }, "Save");
  const form = h(
    "form",
    { class: "dialog-form" },
    field("Name", name),
    field("Description", description),
    publicRow,
    collabRow,
    error,
    h("div", { class: "dialog-actions" }, save, h("button", { class: "pill", type: "button", onclick: () => dialog.close() }, "Cancel")),
  );
  const dialog = openDialog("Edit details", "details-dialog", h("h2", {}, "Edit details"), form);
  return new Promise((resolve) => {
    let saved = false;
    dialog.addEventListener("close", () => resolve(saved));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const changed: Details = {};
      if (name.value.trim() !== playlist.name) changed.name = name.value.trim();
      if (description.value !== playlist.description) changed.description = description.value;
      if (isPublic.checked !== playlist.public) changed.public = isPublic.checked;
      if (isCollaborative.checked !== playlist.collaborative) changed.collaborative = isCollaborative.checked;
      if (!Object.keys(changed).length) return dialog.close();
      save.disabled = true;
      playlistApi
        .changeDetails(playlist.id, changed)
        .then(() => {
          saved = true;
          dialog.close();
        })
        .catch((failed: Error) => (error.textContent = failed.message))
        .finally(() => (save.disabled = false));
    });
  });
}

/** Invite someone to edit a collaborative playlist, named by their profile link or id. */
export function inviteCollaborator(playlist: Playlist): void {
  const who = h("input", {
    type: "text",
    placeholder: "Their profile link or user id",
    required: true,
    "aria-label": "Who to invite",
    "data-testid": "invite-user",
  });
  const result = h("p", { class: "meta", role: "status", "data-testid": "invite-result" });
  const send = h("button", { class: "pill primary", type: "submit", "data-testid": "invite-send" }, "Invite");
  const form = h(
    "form",
    { class: "dialog-form" },
    field("Invite a collaborator", who),
    result,
    h("div", { class: "dialog-actions" }, send, h("button", { class: "pill", type: "button", onclick: () => dialog.close() }, "Done")),
  );
  const dialog = openDialog("Invite a collaborator", "invite-dialog", h("h2", {}, `Invite to “${playlist.name}”`), h("p", { class: "meta" }, "They will be able to add, remove and move tracks. They can find their profile link on their profile page."), form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = parseUserRef(who.value);
    result.classList.remove("form-error");
    if (!userId) {
      result.classList.add("form-error");
      result.textContent = "That is not a profile link or a user id.";
      return;
    }
    send.disabled = true;
    // Looked up first, so that a mistyped id says "no such listener" rather than nothing.
    libraryApi
      .user(userId)
      .then(async (user) => {
        await playlistApi.invite(playlist.id, userId);
        result.textContent = `${await displayName(user)} can now edit this playlist.`;
        who.value = "";
      })
      .catch((failed: Error) => {
        result.classList.add("form-error");
        result.textContent = `Could not invite them: ${failed.message}`;
      })
      .finally(() => (send.disabled = false));
  });
}
