-- AlterTable
ALTER TABLE "PortForward" ADD COLUMN     "family" TEXT NOT NULL DEFAULT 'ipv4';
