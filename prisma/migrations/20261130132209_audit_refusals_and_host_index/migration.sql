-- CreateTable
CREATE TABLE "AuditRefusalWindow" (
    "client" TEXT NOT NULL,
    "minute" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,
    "summarized" BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY ("client", "minute")
);

-- CreateIndex
CREATE INDEX "AuditRefusalWindow_summarized_minute_idx" ON "AuditRefusalWindow"("summarized", "minute");

-- CreateIndex
CREATE INDEX "AuditEvent_hostName_at_idx" ON "AuditEvent"("hostName", "at");
