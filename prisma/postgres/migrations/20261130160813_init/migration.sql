-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "username" TEXT NOT NULL,
    "clientIp" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "lastAttemptAt" BIGINT NOT NULL,
    "nextAllowedAt" BIGINT NOT NULL,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("username","clientIp")
);

-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "username" TEXT NOT NULL DEFAULT 'root',
    "useSudo" BOOLEAN NOT NULL DEFAULT false,
    "pinnedFingerprint" TEXT,
    "hostKeyType" TEXT,
    "health" TEXT,
    "healthCheckedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DesiredNetwork" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL,
    "autostart" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DesiredNetwork_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditRefusalWindow" (
    "client" TEXT NOT NULL,
    "minute" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,
    "summarized" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "AuditRefusalWindow_pkey" PRIMARY KEY ("client","minute")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "hostId" TEXT,
    "hostName" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "params" TEXT NOT NULL,
    "commands" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "error" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "seal" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "hostId" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "plan" TEXT,
    "planSeal" TEXT,
    "recheckedAt" TIMESTAMP(3),
    "recoveryChoice" TEXT,
    "recoveryJobId" TEXT,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobStep" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "command" TEXT,
    "exitCode" INTEGER,
    "output" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "JobStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DhcpMapping" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "mac" TEXT,
    "duid" TEXT,
    "name" TEXT,
    "ip" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DhcpMapping_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortForward" (
    "id" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestUuid" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "bridge" TEXT NOT NULL,
    "subnet" TEXT NOT NULL,
    "guestMac" TEXT NOT NULL,
    "guestIp" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "hostPortStart" INTEGER NOT NULL,
    "hostPortEnd" INTEGER NOT NULL,
    "guestPortStart" INTEGER NOT NULL,
    "guestPortEnd" INTEGER NOT NULL,
    "hostAddress" TEXT,
    "sourceCidrs" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT,
    "ownerName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortForward_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SelfServiceLimit" (
    "userId" TEXT NOT NULL,
    "portMin" INTEGER NOT NULL,
    "portMax" INTEGER NOT NULL,
    "maxForwards" INTEGER NOT NULL,

    CONSTRAINT "SelfServiceLimit_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "SelfServiceGuest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "guestName" TEXT NOT NULL,
    "guestUuid" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SelfServiceGuest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Host_address_port_key" ON "Host"("address", "port");

-- CreateIndex
CREATE UNIQUE INDEX "DesiredNetwork_hostId_name_key" ON "DesiredNetwork"("hostId", "name");

-- CreateIndex
CREATE INDEX "AuditRefusalWindow_summarized_minute_idx" ON "AuditRefusalWindow"("summarized", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_prevHash_key" ON "AuditEvent"("prevHash");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_hash_key" ON "AuditEvent"("hash");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_actorName_at_idx" ON "AuditEvent"("actorName", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_hostId_at_idx" ON "AuditEvent"("hostId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_hostName_at_idx" ON "AuditEvent"("hostName", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE UNIQUE INDEX "JobStep_jobId_position_key" ON "JobStep"("jobId", "position");

-- CreateIndex
CREATE INDEX "DhcpMapping_hostId_network_idx" ON "DhcpMapping"("hostId", "network");

-- CreateIndex
CREATE UNIQUE INDEX "DhcpMapping_hostId_network_key_key" ON "DhcpMapping"("hostId", "network", "key");

-- CreateIndex
CREATE INDEX "PortForward_hostId_idx" ON "PortForward"("hostId");

-- CreateIndex
CREATE INDEX "PortForward_ownerId_idx" ON "PortForward"("ownerId");

-- CreateIndex
CREATE UNIQUE INDEX "SelfServiceGuest_userId_hostId_guestUuid_key" ON "SelfServiceGuest"("userId", "hostId", "guestUuid");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DesiredNetwork" ADD CONSTRAINT "DesiredNetwork_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobStep" ADD CONSTRAINT "JobStep_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DhcpMapping" ADD CONSTRAINT "DhcpMapping_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PortForward" ADD CONSTRAINT "PortForward_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelfServiceLimit" ADD CONSTRAINT "SelfServiceLimit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelfServiceGuest" ADD CONSTRAINT "SelfServiceGuest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelfServiceGuest" ADD CONSTRAINT "SelfServiceGuest_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Audit events are append-only: a reviewer must be able to trust that no row was changed or removed (the same
-- guarantee as the SQLite triggers of prisma/migrations/20261128152142_init).
CREATE FUNCTION "AuditEvent_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END
$$;
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "AuditEvent_append_only"();
CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "AuditEvent_append_only"();
CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent" FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvent_append_only"();
