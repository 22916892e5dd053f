-- AlterTable
ALTER TABLE "Job" ADD COLUMN "heartbeatAt" DATETIME;
ALTER TABLE "Job" ADD COLUMN "ownerId" TEXT;

-- CreateTable
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);
