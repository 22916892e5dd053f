-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "LoginAttempt";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "username" TEXT NOT NULL,
    "clientIp" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "lastAttemptAt" BIGINT NOT NULL,
    "nextAllowedAt" BIGINT NOT NULL,

    PRIMARY KEY ("username", "clientIp")
);
