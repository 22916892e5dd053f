-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PortForward" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "family" TEXT NOT NULL DEFAULT 'ipv4',
    CONSTRAINT "PortForward_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PortForward" ("bridge", "createdAt", "description", "guestIp", "guestMac", "guestName", "guestPortEnd", "guestPortStart", "guestUuid", "hostAddress", "hostId", "hostPortEnd", "hostPortStart", "id", "network", "ownerId", "ownerName", "protocol", "sourceCidrs", "subnet") SELECT "bridge", "createdAt", "description", "guestIp", "guestMac", "guestName", "guestPortEnd", "guestPortStart", "guestUuid", "hostAddress", "hostId", "hostPortEnd", "hostPortStart", "id", "network", "ownerId", "ownerName", "protocol", "sourceCidrs", "subnet" FROM "PortForward";
DROP TABLE "PortForward";
ALTER TABLE "new_PortForward" RENAME TO "PortForward";
CREATE INDEX "PortForward_hostId_idx" ON "PortForward"("hostId");
CREATE INDEX "PortForward_ownerId_idx" ON "PortForward"("ownerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
