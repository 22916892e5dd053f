-- CreateTable
CREATE TABLE "DhcpMapping" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostId" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "mac" TEXT,
    "duid" TEXT,
    "name" TEXT,
    "ip" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "DhcpMapping_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "DhcpMapping_hostId_network_idx" ON "DhcpMapping"("hostId", "network");

-- CreateIndex
CREATE UNIQUE INDEX "DhcpMapping_hostId_network_key_key" ON "DhcpMapping"("hostId", "network", "key");
