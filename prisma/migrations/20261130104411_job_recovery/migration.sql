-- AlterTable
ALTER TABLE "Job" ADD COLUMN "plan" TEXT;
ALTER TABLE "Job" ADD COLUMN "planSeal" TEXT;
ALTER TABLE "Job" ADD COLUMN "recheckedAt" DATETIME;
ALTER TABLE "Job" ADD COLUMN "recoveryChoice" TEXT;
ALTER TABLE "Job" ADD COLUMN "recoveryJobId" TEXT;

-- Jobs cut short before this migration saved no plan and were already reported as interrupted: nothing to re-read.
UPDATE "Job" SET "recheckedAt" = "finishedAt" WHERE "status" = 'interrupted';
