-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "seal" TEXT;
