-- Web push subscriptions become digital addresses (channel 'push', with the browser's keys), messages sent
-- through a provider (the Notify API) keep the provider's id and its delivery report, and an event can say
-- what moment it concerns (quiet hours do not hold back a message about something earlier).

ALTER TABLE digital_address DROP CONSTRAINT digital_address_channel_check;
ALTER TABLE digital_address ADD CONSTRAINT digital_address_channel_check CHECK (channel IN ('email', 'sms', 'push'));
-- Push only: the browser's P-256 public key and auth secret (base64url), to encrypt each message for it.
ALTER TABLE digital_address ADD COLUMN push_p256dh TEXT;
ALTER TABLE digital_address ADD COLUMN push_auth TEXT;

-- The provider's id for the message (Notify API), its last delivery report and when Loket last asked.
ALTER TABLE notification_message ADD COLUMN provider_ref TEXT;
ALTER TABLE notification_message ADD COLUMN delivered_at_ms BIGINT;
ALTER TABLE notification_message ADD COLUMN receipt_checked_at_ms BIGINT;
CREATE INDEX notification_message_receipt ON notification_message (status, receipt_checked_at_ms);

ALTER TABLE notification_event ADD COLUMN concerns_at_ms BIGINT;
