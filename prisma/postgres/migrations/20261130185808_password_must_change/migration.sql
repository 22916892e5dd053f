-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordMustChange" BOOLEAN NOT NULL DEFAULT false;
