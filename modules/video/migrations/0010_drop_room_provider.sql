-- rooms.provider (from 0001_foundation) was only ever its default, 'jitsi', and nothing reads
-- it: the video module is the Jitsi integration, so the provider is the module.
alter table rooms drop column provider;
