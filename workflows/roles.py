"""Role codes and the dossier statuses of the national public service portal."""

DESK_OFFICER = "desk_officer"
SPECIALIST = "specialist"
LEADER = "leader"
CLERK = "clerk"
ADMIN = "admin"
DESIGNER = "designer"

ROLES = {
    DESK_OFFICER: "Công chức Bộ phận một cửa",
    SPECIALIST: "Chuyên viên phòng chuyên môn",
    LEADER: "Lãnh đạo",
    CLERK: "Văn thư",
    ADMIN: "Quản trị hệ thống",
    DESIGNER: "Thiết kế quy trình",
}
TASK_ROLES = (DESK_OFFICER, SPECIALIST, LEADER, CLERK)
