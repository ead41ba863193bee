// A dossier's fees (docs/user-guide.md, "Lệ phí"): what its model asked it to pay, each order's receipts
// (paid online or at the desk, refunds), and the desk's button to record a fee paid at the counter.
import { api, busy, clear, formatTime, h, hasRole, t, table } from "./common.js";

const money = (amount) => `${Number(amount).toLocaleString("vi-VN")} ${t("payments.currency")}`;

function receiptRows(payment) {
  return payment.receipts.map((receipt) => h("tr", {},
    h("td", {}, t(`payments.kind_${receipt.kind}`)),
    h("td", {}, t(`payments.method_${receipt.method}`)),
    h("td", { class: "number" }, money(receipt.amount_vnd)),
    h("td", {}, receipt.transaction_no || receipt.reason || ""),
    h("td", {}, formatTime(receipt.paid_at || receipt.recorded_at))));
}

/** Fill the dossier page's fee section (hidden while the dossier was asked for none). */
export async function renderPayments(path, user, refresh) {
  const section = document.getElementById("payments-section");
  const slot = document.getElementById("payments");
  const paid = await api("GET", `${path}/payments`);
  section.hidden = paid.length === 0;
  clear(slot, ...paid.map((payment) => {
    const heading = h("p", {}, h("strong", {}, `${payment.order_ref}: ${money(payment.amount_vnd)}`), " — ",
      t(`payments.status_${payment.status}`), payment.status === "open" && payment.gateway_status === "failed"
        ? h("span", { class: "muted" }, ` (${t("payments.gateway_failed")}: ${payment.last_error})`) : null);
    const receipts = payment.receipts.length ? table(
      [t("payments.kind"), t("payments.method"), t("payments.amount"), t("payments.reference"), t("payments.when")],
      receiptRows(payment)) : null;
    let desk = null;
    if (payment.status === "open" && hasRole(user, "desk_officer")) {
      const button = h("button", { type: "button" }, t("payments.record_desk"));
      const error = h("div", { role: "alert" });
      button.addEventListener("click", () => busy(button, error, async () => {
        await api("POST", `${path}/payments`, { note: "" });
        await refresh();
      }));
      desk = h("div", { class: "toolbar" }, button, error);
    }
    return h("div", {}, heading, receipts, desk);
  }));
}
