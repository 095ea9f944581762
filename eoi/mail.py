"""Sending email: through GOV.UK Notify when EOI_NOTIFY_API_KEY is set (London's public
bodies use it), else the SMTP server in EOI_SMTP_HOST, or, without one, into
EOI_OUTBOX_FOLDER as .eml files a person (or a test) can open."""

import html
import os
import re
import secrets
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from eoi import clock


def send_email(to: list[str], subject: str, body: str) -> None:
    """Send a plain-text email; raises if it could not be handed over, so the caller can
    keep it to try again."""
    if not to:
        raise ValueError("an email needs at least one recipient")
    config = current_app.config
    if config.get("EOI_NOTIFY_API_KEY"):
        _send_by_notify(to, subject, body, config)
        return
    now = clock.now()
    message = EmailMessage()
    message["From"] = config["EOI_MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="eoi.invalid")
    message.set_content(body)
    message.add_alternative(as_html(subject, body), subtype="html")

    if config.get("EOI_SMTP_HOST"):
        _send_by_smtp(message, config)
    else:
        _write_to_outbox(message, Path(config["EOI_OUTBOX_FOLDER"]), now)


_LINK = re.compile(r"https?://[^\s<>\"]{1,2000}")


def as_html(subject: str, body: str) -> str:
    """The plain text as a simple accessible page: its subject as the title, a paragraph
    for each paragraph, and every address a link."""
    def paragraph(text: str) -> str:
        escaped = html.escape(text)
        linked = _LINK.sub(lambda found: f'<a href="{found[0]}">{found[0]}</a>', escaped)
        return "<p>" + linked.replace("\n", "<br>\n") + "</p>"

    paragraphs = "\n".join(paragraph(part) for part in body.split("\n\n") if part.strip())
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>\n"
            f'<body style="font-family: Arial, sans-serif; font-size: 19px; line-height: 1.5">'
            f"\n{paragraphs}\n</body>\n</html>\n")


def _send_by_notify(to: list[str], subject: str, body: str, config) -> None:
    """Through GOV.UK Notify: one email per address, with a template whose subject is
    ((subject)) and whose body is ((body)), so the service's catalogue stays the one place
    messages are written. Notify writes the HTML part itself."""
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(config["EOI_NOTIFY_API_KEY"],
                                    base_url=config["EOI_NOTIFY_BASE_URL"])
    for address in to:
        client.send_email_notification(
            email_address=address, template_id=config["EOI_NOTIFY_TEMPLATE_ID"],
            personalisation={"subject": subject, "body": body})


def _send_by_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["EOI_SMTP_HOST"], config["EOI_SMTP_PORT"], timeout=30) as smtp:
        if config["EOI_SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["EOI_SMTP_USERNAME"] and config["EOI_SMTP_PASSWORD"]:
            smtp.login(config["EOI_SMTP_USERNAME"], config["EOI_SMTP_PASSWORD"])
        smtp.send_message(message)


def _write_to_outbox(message: EmailMessage, folder: Path, now: datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    # Written under a temporary name and renamed, so nothing reading the folder ever sees
    # half a message.
    partial = folder / f".{name}.partial"
    partial.write_bytes(message.as_bytes())
    os.replace(partial, folder / name)
    return folder / name
