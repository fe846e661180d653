package cluster

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// A backup file is the hot backup stream of one server (mbstream or
// xbstream, as its flavour's tool writes it) between a header, written
// before the stream starts, and a trailer written once it ended, when its
// size, checksum and replication position are known:
//
//	"MYSQLCTL BACKUP 1\n"
//	header JSON "\n"
//	payload
//	trailer JSON, its length (8 bytes, big-endian), "MYSQLCTL END\n"
//
// The trailer is found from the end, so the file is written in one pass,
// also to a pipe (`backup -o -`). No existing archive format fits: tar
// needs each member's size before its bytes.
const (
	backupMagic  = "MYSQLCTL BACKUP 1\n"
	backupEnd    = "MYSQLCTL END\n"
	footerLength = 8 + len(backupEnd)
)

// BackupHeader says what a backup holds, known before its first byte.
type BackupHeader struct {
	Flavor    manifest.Flavor `json:"flavor"`
	Version   string          `json:"version"`
	Cluster   string          `json:"cluster"`
	Namespace string          `json:"namespace"`
	Source    string          `json:"source"`
	Stream    string          `json:"stream"` // mbstream | xbstream
	StartedAt time.Time       `json:"startedAt"`
}

// BackupTrailer is what is known once the stream ended.
type BackupTrailer struct {
	PayloadBytes int64 `json:"payloadBytes"`
	// SHA256 covers the header line and the payload: a changed byte in
	// either fails verification.
	SHA256 string `json:"sha256"`
	// The source's binary log position matching the data, and on MariaDB
	// the GTID of its last transaction.
	BinlogFile string    `json:"binlogFile,omitempty"`
	BinlogPos  uint64    `json:"binlogPos,omitempty"`
	GTID       string    `json:"gtid,omitempty"`
	FinishedAt time.Time `json:"finishedAt"`
}

// BackupInfo is a whole backup's description.
type BackupInfo struct {
	BackupHeader
	BackupTrailer
}

// backupWriter writes a backup file: header at once, payload through
// Write, trailer on finish.
type backupWriter struct {
	w     io.Writer
	hash  hash
	bytes int64
}

type hash interface {
	io.Writer
	Sum([]byte) []byte
}

func newBackupWriter(w io.Writer, h BackupHeader) (*backupWriter, error) {
	head, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	line := append(head, '\n')
	if _, err := io.WriteString(w, backupMagic+string(line)); err != nil {
		return nil, fmt.Errorf("write the backup header: %w", err)
	}
	b := &backupWriter{w: w, hash: sha256.New()}
	b.hash.Write(line)
	return b, nil
}

func (b *backupWriter) Write(p []byte) (int, error) {
	n, err := b.w.Write(p)
	b.hash.Write(p[:n])
	b.bytes += int64(n)
	return n, err
}

// finish writes the trailer; t's size and checksum are filled here.
func (b *backupWriter) finish(t BackupTrailer) (BackupTrailer, error) {
	t.PayloadBytes, t.SHA256 = b.bytes, hex.EncodeToString(b.hash.Sum(nil))
	tail, err := json.Marshal(t)
	if err != nil {
		return t, err
	}
	var length [8]byte
	binary.BigEndian.PutUint64(length[:], uint64(len(tail)))
	if _, err := b.w.Write(append(append(tail, length[:]...), backupEnd...)); err != nil {
		return t, fmt.Errorf("write the backup trailer: %w", err)
	}
	return t, nil
}

// ErrBackupCorrupt classifies every way a backup file fails verification.
var ErrBackupCorrupt = errors.New("backup file is damaged")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBackupCorrupt}, args...)...)
}

// VerifyBackup checks a backup file without a cluster: its framing, its
// header and trailer, and the payload's size and SHA-256.
func VerifyBackup(path string) (*BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(len(backupMagic)+footerLength) {
		return nil, corrupt("%s is %d bytes, too short for a backup", path, size)
	}
	footer := make([]byte, footerLength)
	if _, err := f.ReadAt(footer, size-int64(footerLength)); err != nil {
		return nil, err
	}
	if string(footer[8:]) != backupEnd {
		return nil, corrupt("%s does not end like a finished backup (interrupted, or not a mysqlctl backup)", path)
	}
	tailLen := int64(binary.BigEndian.Uint64(footer[:8]))
	tailAt := size - int64(footerLength) - tailLen
	if tailLen <= 0 || tailAt < int64(len(backupMagic)) {
		return nil, corrupt("%s: trailer length %d does not fit the file", path, tailLen)
	}
	info := &BackupInfo{}
	tail := make([]byte, tailLen)
	if _, err := f.ReadAt(tail, tailAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(tail, &info.BackupTrailer); err != nil {
		return nil, corrupt("%s: unreadable trailer: %v", path, err)
	}
	r := bufio.NewReader(f)
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != backupMagic {
		return nil, corrupt("%s does not start like a mysqlctl backup", path)
	}
	head, err := r.ReadBytes('\n')
	if err != nil || json.Unmarshal(bytes.TrimSpace(head), &info.BackupHeader) != nil {
		return nil, corrupt("%s: unreadable header", path)
	}
	payloadAt := int64(len(backupMagic) + len(head))
	if got := tailAt - payloadAt; got != info.PayloadBytes {
		return nil, corrupt("%s holds %d payload bytes, its trailer says %d", path, got, info.PayloadBytes)
	}
	h := sha256.New()
	h.Write(head)
	if _, err := io.Copy(h, io.NewSectionReader(f, payloadAt, info.PayloadBytes)); err != nil {
		return nil, err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != info.SHA256 {
		return nil, corrupt("%s: its SHA-256 is %s, its trailer says %s: bytes changed after it was written", path, sum, info.SHA256)
	}
	return info, nil
}
